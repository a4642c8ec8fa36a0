"""Build learner submissions from the course and solutions, for the grading tests."""
from __future__ import annotations

import importlib
from pathlib import Path

import nbformat

from rnn_course.paths import COURSE, SOLUTIONS


def nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def released(stem: str) -> nbformat.NotebookNode:
    return nbformat.read(COURSE / f"{stem}.ipynb", as_version=4)


def filled(stem: str, replace: dict | None = None) -> nbformat.NotebookNode:
    """The released notebook with every solution cell filled in as a learner would.

    Solution cells get the reference solution's source, or the source given in ``replace``.
    """
    nb = released(stem)
    sol = {nbg(c).get("grade_id"): c.source for c in nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4).cells
           if nbg(c).get("solution")}
    replace = replace or {}
    for cell in nb.cells:
        gid = nbg(cell).get("grade_id")
        if nbg(cell).get("solution") and gid in sol:
            cell.source = replace.get(gid, sol[gid])
    return nb


def wrong(stem: str):
    """(submission, task) with the notebook's ROUNDTRIP_WRONG mistake in place."""
    mod = importlib.import_module(f"variants.v{stem}")
    gid, mistake = mod.ROUNDTRIP_WRONG
    test_id = getattr(mod, "TESTS", {}).get(gid, f"test_{gid}")
    task = test_id[5:] if test_id.startswith("test_") else test_id
    return filled(stem, {gid: mod.WRONG[gid][mistake]}), task


def write(nb, folder: Path, learner: str, stem: str) -> Path:
    path = folder / learner / f"{stem}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def with_solution(nb, gid, source):
    """Replace the source of the solution cell `gid`."""
    for c in nb.cells:
        if nbg(c).get("grade_id") == gid and nbg(c).get("solution"):
            c.source = source
    return nb


def index_of(nb, gid):
    return next(i for i, c in enumerate(nb.cells) if nbg(c).get("grade_id") == gid)


def insert_after(nb, gid, source):
    """Insert a code cell after the cell `gid`."""
    from nbformat.v4 import new_code_cell
    nb.cells.insert(index_of(nb, gid) + 1, new_code_cell(source))
    return nb


def assert_scores(auto: dict, expect) -> None:
    """auto: {task: result}; expect "full", "zero" or {task: "full" | points}."""
    if expect == "full":
        assert all(t["passed"] for t in auto.values()), {k: t["reason"] for k, t in auto.items()}
    elif expect == "zero":
        assert all(t["score"] == 0 for t in auto.values()), {k: t["score"] for k, t in auto.items()}
    else:
        for task, want in expect.items():
            if want == "full":
                assert auto[task]["passed"], auto[task]["reason"]
            else:
                assert auto[task]["score"] == want, auto[task]
