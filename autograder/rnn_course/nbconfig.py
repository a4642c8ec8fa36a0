"""nbgrader configuration objects: the course one (work/ tree) and private per-job ones."""
from __future__ import annotations

from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from .paths import AUTOGRADER, COURSE_ID


def load_course_config() -> Config:
    """The settings in autograder/nbgrader_config.py."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(AUTOGRADER)).load_config()


def tree_config(root: Path, cell_timeout: int | None = None) -> Config:
    """The course settings, pointed at an nbgrader tree under ``root`` with its own gradebook."""
    c = load_course_config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    if cell_timeout is not None:
        c.Execute.timeout = int(cell_timeout)
    # every output is collected when the last cell ends: kill the grading kernel at once instead
    # of asking it to exit and waiting for it (jupyter_client's shutdown_wait_time, 5 s)
    c.Execute.shutdown_kernel = "immediate"
    return c
