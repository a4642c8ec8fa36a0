"""nbgrader round trips for every notebook, graded as one parallel batch.

The reference solution (filled into the released notebook) scores full marks; the released
notebook scores zero without stopping the grader; one deliberately wrong function loses exactly
its task's points.
"""
from __future__ import annotations

import os

import pytest

import gradekit
from rnn_course.grading import grade_folder
from rnn_course.paths import solution_stems

# `make test NB=06` sets RNN_TEST_NB: the batch then grades that notebook's three copies only.
STEMS = [s for s in solution_stems() if s == os.environ.get("RNN_TEST_NB", s)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    wrong_task = {}
    for stem in STEMS:
        gradekit.write(gradekit.filled(stem), folder, "reference", stem)
        gradekit.write(gradekit.released(stem), folder, "blank", stem)
        nb, task = gradekit.wrong(stem)
        gradekit.write(nb, folder, "one_wrong", stem)
        wrong_task[stem] = task
    results = grade_folder(folder, n_jobs=2, progress=False)
    return {(r["learner"], r["stem"]): r for r in results}, wrong_task, folder


@pytest.mark.parametrize("stem", STEMS)
def test_reference_solution_scores_full_marks(graded, stem):
    r = graded[0][("reference", stem)]
    assert r["status"] == "ok", r.get("message")
    lost = {t["task"]: t["reason"] for t in r["tasks"] if not t["manual"] and not t["passed"]}
    assert not lost, lost
    assert any(t["manual"] for t in r["tasks"]), "the interview answer is manually graded"


@pytest.mark.parametrize("stem", STEMS)
def test_released_notebook_scores_zero(graded, stem):
    r = graded[0][("blank", stem)]
    assert r["status"] == "ok", r.get("message")
    auto = [t for t in r["tasks"] if not t["manual"]]
    assert auto and all(t["score"] == 0 for t in auto)


@pytest.mark.parametrize("stem", STEMS)
def test_one_wrong_function_loses_exactly_its_points(graded, stem):
    r = graded[0][("one_wrong", stem)]
    task = graded[1][stem]
    assert r["status"] == "ok", r.get("message")
    lost = sorted(t["task"] for t in r["tasks"] if not t["manual"] and not t["passed"])
    assert lost == [task]


def test_scores_equal_nbgraders_own_autograde(graded, tmp_path):
    """Our grading runs nbgrader's autograde steps without the converter's gradebook writes
    (rnn_course.engine._grading_steps) and scores the executed notebook itself: the scores of
    one notebook's three copies equal those nbgrader's complete autograde puts in its gradebook.
    nbgrader is given the cells grading runs (``engine.grading_notebook``: without experiments,
    which tests/test_structure.py proves no graded or test cell reads, and which
    bench/grade_workshop.py keeps when it compares whole notebooks of all fifteen)."""
    import nbformat

    from rnn_course.engine import grading_notebook
    stem = STEMS[0]
    for learner in ("reference", "blank", "one_wrong"):
        nb = nbformat.read(graded[2] / learner / f"{stem}.ipynb", as_version=4)
        gradekit.write(grading_notebook(nb), tmp_path, learner, stem)
    theirs, _ = gradekit.nbgrader_autograde(tmp_path, [stem])
    ours = {learner: gradekit.auto_scores(graded[0][(learner, stem)]) for learner in ("reference", "blank", "one_wrong")}
    assert len({tuple(sorted(s.items())) for s in ours.values()}) == 3, ours     # three different outcomes
    for learner, scores in ours.items():
        assert scores == theirs[(learner, stem)], learner
