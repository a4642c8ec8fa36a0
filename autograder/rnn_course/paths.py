"""Where things live. The repository root is found from this file (the package is installed
in editable mode) or from the RNN_COURSE_ROOT environment variable."""
from __future__ import annotations

import os
from pathlib import Path


def root() -> Path:
    env = os.environ.get("RNN_COURSE_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


ROOT = root()
SOLUTIONS = ROOT / "solutions"
COURSE = ROOT / "course"
AUTOGRADER = ROOT / "autograder"
WORK = AUTOGRADER / "work"
CONFIG_FILE = AUTOGRADER / "nbgrader_config.py"
WORKSPACE = ROOT / "workspace"            # the learner's copies (git-ignored), made from course/
BACKUP = WORKSPACE / ".backup"            # what update/reset replaced, by timestamp
RELEASED_VERSIONS = AUTOGRADER / "released_versions.json"   # test-cell checksums of every release
COURSE_ID = "rnn-interview-course"


def solution_stems() -> list[str]:
    """Stems of the graded solution notebooks (the fifteen questions) in course order."""
    from helpers.questions import BY_STEM
    return sorted(p.stem for p in SOLUTIONS.glob("[0-9][0-9]_*.ipynb") if p.stem in BY_STEM)


def practice_stems() -> list[str]:
    """Solution notebooks that are released but never graded (16_mock_interview)."""
    graded = set(solution_stems())
    return sorted(p.stem for p in SOLUTIONS.glob("[0-9][0-9]_*.ipynb") if p.stem not in graded)


def resolve_stem(key: str) -> str:
    """'03', '3', '03_bptt', 'course/03_bptt.ipynb' -> '03_bptt' (KeyError with advice otherwise)."""
    stems = solution_stems()
    name = Path(str(key)).name
    if name.endswith(".ipynb"):
        name = name[: -len(".ipynb")]
    if name in stems:
        return name
    if name.isdigit():
        for s in stems:
            if int(s[:2]) == int(name):
                return s
    if name[:2].isdigit():
        matches = [s for s in stems if s[:2] == name[:2]]
        if len(matches) == 1:
            raise KeyError(f"'{key}' is not a course notebook name; did you rename {matches[0]}.ipynb? "
                           f"Notebooks are graded by their original name: rename it back to "
                           f"{matches[0]}.ipynb or pass the number ({matches[0][:2]}).")
    raise KeyError(f"'{key}' is not a course notebook. Known notebooks: "
                   + ", ".join(stems) + ". Pass a number (e.g. 03) or a notebook path.")
