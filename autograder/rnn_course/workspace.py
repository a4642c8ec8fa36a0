"""The learner's workspace: git-ignored copies of the released notebooks, made from course/.

course/ is the generated release (tracked; a learner never edits it), so `git pull` never
conflicts. `make lab` (and Binder's postBuild) create workspace/ on first use, copying every
course notebook that is not there yet and never overwriting a file. `rnn-course check NN`,
`progress`, `reset`, `solution` and the index's progress cell resolve numbers to workspace/.
Only workspace/NN_name.ipynb files are ever replaced (by `update` and `reset`, after a backup
in workspace/.backup/<timestamp>/); other files there (later notebooks keep their own state
there too) are left alone.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from . import paths


def workspace_dir() -> Path:
    return paths.WORKSPACE


def course_notebooks(course: Path | None = None) -> list[Path]:
    course = Path(course or paths.COURSE)
    return sorted(course.glob("[0-9][0-9]_*.ipynb"))


def create(ws: Path | None = None, course: Path | None = None) -> list[Path]:
    """Copy every course notebook missing from the workspace into it; the files created."""
    ws = Path(ws or workspace_dir())
    ws.mkdir(parents=True, exist_ok=True)
    made = []
    for src in course_notebooks(course):
        dest = ws / src.name
        if dest.exists():
            continue
        shutil.copy(src, dest)
        made.append(dest)
    return made


def folder() -> tuple[Path, str | None]:
    """Where the learner's notebooks are: (workspace/, None), or (course/, a note) without one."""
    ws = workspace_dir()
    if ws.is_dir() and any(ws.glob("[0-9][0-9]_*.ipynb")):
        return ws, None
    return paths.COURSE, (f"there is no workspace yet ({ws}); using the released notebooks in "
                          f"{paths.COURSE}. Run `make lab` or `rnn-course workspace` to create it.")


def backup_dir(ws: Path | None = None) -> Path:
    """A new, empty workspace/.backup/<timestamp>/ folder."""
    base = Path(ws or workspace_dir()) / ".backup"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out, i = base / stamp, 1
    while out.exists():
        i += 1
        out = base / f"{stamp}-{i}"
    out.mkdir(parents=True)
    return out


def backup(path: Path, dest_dir: Path) -> Path:
    dest = Path(dest_dir) / Path(path).name
    shutil.copy2(path, dest)
    return dest


def reset(stem: str, ws: Path | None = None, course: Path | None = None) -> tuple[Path, Path | None]:
    """Restore workspace/<stem>.ipynb from the release, after a backup; (file, backup or None)."""
    ws = Path(ws or workspace_dir())
    src = Path(course or paths.COURSE) / f"{stem}.ipynb"
    if not src.exists():
        raise FileNotFoundError(f"{src} is missing; run `rnn-course release` first.")
    ws.mkdir(parents=True, exist_ok=True)
    dest = ws / src.name
    saved = backup(dest, backup_dir(ws)) if dest.exists() else None
    shutil.copy(src, dest)
    return dest, saved
