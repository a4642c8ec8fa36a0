"""Generate the learner notebooks (course/) and the gradebook from solutions/ with nbgrader."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from .paths import COURSE, SOLUTIONS, WORK, solution_stems


class ReleaseError(RuntimeError):
    pass


@contextmanager
def work_lock(shared: bool = False):
    """One process at a time changes autograder/work (the gradebook lives there); readers
    that copy the gradebook take the lock shared."""
    WORK.mkdir(parents=True, exist_ok=True)
    with open(WORK / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _digest(stem: str) -> str:
    return hashlib.sha256((SOLUTIONS / f"{stem}.ipynb").read_bytes()).hexdigest()


def _state_file() -> Path:
    return WORK / "released.json"


def _state() -> dict:
    try:
        return json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return {}


def _generate(stems: list[str]) -> None:
    from nbgrader.apps import NbGraderAPI

    from .nbconfig import tree_config

    cfg = tree_config(WORK)
    cfg.NbGrader.logfile = ""
    state = _state()
    cwd = os.getcwd()
    os.chdir(WORK)
    try:
        api = NbGraderAPI(config=cfg)
        for stem in stems:
            src = WORK / "source" / stem
            shutil.rmtree(src, ignore_errors=True)
            src.mkdir(parents=True)
            shutil.copy(SOLUTIONS / f"{stem}.ipynb", src / f"{stem}.ipynb")
            res = api.generate_assignment(stem, force=True, create=True)
            if not res.get("success"):
                raise ReleaseError(f"nbgrader could not release {stem}:\n{res.get('error') or res.get('log')}")
            _stamp(stem)
            state[stem] = _digest(stem)
            _state_file().write_text(json.dumps(state, indent=1, sort_keys=True))
    finally:
        os.chdir(cwd)


def course_version(stem: str) -> str:
    """A short fingerprint of the solution a released notebook was made from."""
    return _digest(stem)[:12]


def _stamp(stem: str) -> None:
    """Record in the released notebook which course notebook and version it is."""
    import nbformat
    path = released_path(stem)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["rnn_course"] = {"notebook": stem, "version": course_version(stem)}
    nbformat.write(nb, path)


def released_path(stem: str) -> Path:
    return WORK / "release" / stem / f"{stem}.ipynb"


def ensure_gradebook(stems: list[str] | None = None) -> None:
    """Make sure the gradebook holds the current solutions (regenerate what changed)."""
    stems = stems or solution_stems()
    with work_lock():
        state = _state()
        stale = [s for s in stems if state.get(s) != _digest(s) or not released_path(s).exists()
                 or not (WORK / "gradebook.db").exists()]
        if stale:
            _generate(stale)


def release(stems: list[str] | None = None, out: Path = COURSE) -> list[Path]:
    """Regenerate course/NN_name.ipynb for the given (default: all) solution notebooks."""
    stems = stems or solution_stems()
    with work_lock():
        _generate(stems)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for stem in stems:
            dest = out / f"{stem}.ipynb"
            shutil.copy(released_path(stem), dest)
            written.append(dest)
        from .index import write as write_index
        written.append(write_index(out))
    return written
