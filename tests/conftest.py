import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).parent))


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (make test), with test_variants.py cut into one unit per notebook.

    Whole files stay on one worker (a file's module fixtures are built once; a notebook's nbval
    cells run in order in one kernel), but test_variants.py holds hundreds of tests: as one
    unit it kept one worker busy long after the other had finished."""
    if config.getoption("dist", None) != "loadfile":
        return None
    import re

    from xdist.scheduler import LoadScopeScheduling

    class FileOrNotebookScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            m = re.search(r"\[(\d\d_\w+?)(?:-|\])", nodeid) if path.endswith("test_variants.py") else None
            return f"{path}::{m.group(1)}" if m else path

    return FileOrNotebookScheduling(config, log)
