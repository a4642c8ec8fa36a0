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


def nbgrader_autograde(folder: Path, stems: list) -> tuple:
    """nbgrader alone, as its documentation runs it: one tree with a copy of the course
    gradebook, its complete default autograde of each submission (``folder/LEARNER/STEM.ipynb``)
    in turn, its kernels in the environment our grading gives its own (rnn_course.batch._env:
    Python's warnings off; nbgrader zeroes a test cell that wrote to stderr, our scoring does not). Returns ({(learner, stem): {test cell: auto score}} for the submissions nbgrader
    scored (the auto-graded test cells: nbgrader also gives an unchanged interview answer 0),
    seconds spent in autograde)."""
    import os
    import shutil
    import tempfile
    import time

    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.apps import NbGraderAPI

    from rnn_course import manifest
    from rnn_course.nbconfig import tree_config
    from rnn_course.paths import COURSE_ID, WORK

    from rnn_course.batch import _env

    tree = Path(tempfile.mkdtemp(prefix="nbgrader-serial-"))
    shutil.copy(WORK / "gradebook.db", tree / "gradebook.db")
    learners = sorted(p.name for p in Path(folder).iterdir() if p.is_dir())
    for learner in learners:
        for stem in stems:
            if (Path(folder) / learner / f"{stem}.ipynb").exists():
                dest = tree / "submitted" / learner / stem
                dest.mkdir(parents=True, exist_ok=True)
                shutil.copy(Path(folder) / learner / f"{stem}.ipynb", dest / f"{stem}.ipynb")
    for stem in stems:
        (tree / "source" / stem).mkdir(parents=True, exist_ok=True)
    cfg = tree_config(tree)
    cfg.NbGrader.logfile = ""
    cwd, env = os.getcwd(), dict(os.environ)
    os.chdir(tree)
    os.environ.update(_env())                # the kernels' environment as in our grading (warnings off)
    t0 = time.perf_counter()
    try:
        api = NbGraderAPI(config=cfg)
        for learner in learners:
            for stem in stems:
                if (tree / "submitted" / learner / stem).exists():
                    api.autograde(stem, learner, force=True, create=True)
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
    seconds = time.perf_counter() - t0
    scores = {}
    with Gradebook(cfg.CourseDirectory.db_url, COURSE_ID) as gb:
        for learner in learners:
            for stem in stems:
                try:
                    sub = gb.find_submission_notebook(stem, stem, learner)
                except MissingEntry:
                    continue
                tests = {t.cell for t in manifest.tasks(stem) if not t.manual}
                auto = {g.name: g.auto_score for g in sub.grades if g.name in tests and g.auto_score is not None}
                if auto:                                    # else nbgrader could not grade it
                    scores[(learner, stem)] = auto
    shutil.rmtree(tree, ignore_errors=True)
    return scores, seconds


def auto_scores(result: dict) -> dict:
    """{test cell: score} of the auto-graded tasks of one of our grading results."""
    return {t["cell"]: t["score"] for t in result["tasks"] if not t["manual"]}
