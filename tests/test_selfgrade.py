"""The self-grade cell: the notebook's visible and hidden tests on the live kernel.

Its verdict per task equals `rnn-course check`'s on the same code (a real kernel runs the
released notebook filled in, ending with the self-grade cell; check grades the saved file).
bench/selfgrade.py prints the timings.
"""
from __future__ import annotations

import importlib
import json
import re
import shutil

import nbformat
import pytest

import gradekit
import nbharness
from rnn_course import manifest
from rnn_course.grading import check
from rnn_course.paths import COURSE
from rnn_course.selfgrade import run_tests, self_grade

STEM = "06_lstm_gates"


def verdicts(result):
    return [(t["task"], t["score"], t["passed"]) for t in result["tasks"]]


@pytest.fixture(scope="module")
def wrong():
    mod = importlib.import_module(f"variants.v{STEM}")
    gid, mistake = mod.ROUNDTRIP_WRONG
    return gid, mod.WRONG[gid][mistake]


def test_equals_check_on_correct_and_wrong_code(tmp_path, wrong):
    """(graded as one batch: the grading `rnn-course check` runs, one slot started once)"""
    from rnn_course.grading import grade_folder
    gid, src = wrong
    cases = [{}, {gid: src}]
    for replace in cases:
        gradekit.write(gradekit.filled(STEM, replace), tmp_path, "me" + str(len(replace)), STEM)
    graded = {r["learner"]: r for r in grade_folder(tmp_path, n_jobs=1, stems=[STEM], progress=False)}
    for replace in cases:
        ns, _ = nbharness.run(STEM, replace=replace)
        live = run_tests(STEM, ns)
        official = graded["me" + str(len(replace))]
        assert official["status"] == live["status"] == "ok"
        assert verdicts(live) == verdicts(official), (live, official)
        for a, b in zip(live["tasks"], official["tasks"]):
            if not a["passed"] and not a["manual"]:
                assert a["reason"] == b["reason"] or a["reason"].split(":")[0] == b["reason"].split(":")[0]
    lost = [t for t in live["tasks"] if t["passed"] is False]
    assert [t["task"] for t in lost] == [gid] and "CheckError" in lost[0]["reason"]


def test_tests_run_in_a_copy_of_the_namespace():
    ns, _ = nbharness.run(STEM)
    ns["_n"] = "the learner's own _n"                      # a name the tests assign
    ns.pop("_lstm_setup", None)                            # a helper a test cell defines
    before = dict(ns)
    result = run_tests(STEM, ns)
    assert all(t["passed"] for t in result["tasks"] if not t["manual"])
    assert ns["_n"] == "the learner's own _n" and "_lstm_setup" not in ns
    assert set(ns) == set(before) and all(ns[k] is before[k] for k in before)


def test_unanswered_quick_check_and_undefined_function_have_their_own_reasons():
    ns, _ = nbharness.run(STEM)
    ns.pop("answer")
    ns.pop("lstm_param_count")
    reasons = {t["task"]: t["reason"] for t in run_tests(STEM, ns)["tasks"]}
    assert reasons["quick_check"].startswith("not answered yet") and "NameError" not in reasons["quick_check"]
    assert reasons["lstm_param_count"].startswith("not implemented yet: `lstm_param_count`")


def test_the_released_cell_on_a_real_kernel_matches_check(tmp_path):
    """A kernel runs the released notebook filled in (as a learner would), then the self-grade cell."""
    from nbclient import NotebookClient
    stem = "01_recurrence"
    nb = gradekit.filled(stem)
    assert nb.cells[-1].source.endswith(f"self_grade({stem!r})")
    path = tmp_path / f"{stem}.ipynb"
    nbformat.write(nb, path)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    m = re.search(r"auto-graded score: (\S+) / (\S+)\s+status: (\w+)", out)
    assert m and m.group(1) == m.group(2) and m.group(3) == "ok", out
    record = json.loads((tmp_path / ".progress" / "selfgrade" / f"{stem}.json").read_text())
    official = check(str(path))
    assert [(t["task"], t["score"]) for t in record["tasks"]] == [(t["task"], t["score"]) for t in official["tasks"]]
    assert record["score"] == manifest.auto_max(stem)


def test_self_grade_records_for_progress(tmp_path, monkeypatch):
    ns, _ = nbharness.run(STEM)
    shutil.copy(COURSE / f"{STEM}.ipynb", tmp_path / f"{STEM}.ipynb")
    monkeypatch.chdir(tmp_path)
    res = self_grade(STEM, namespace=ns, show=False)
    rec = json.loads((tmp_path / ".progress" / "selfgrade" / f"{STEM}.json").read_text())
    assert rec["score"] == manifest.auto_max(STEM) and res["seconds"] < 30


def test_interview_answer_reveal_and_self_assessment(tmp_path, monkeypatch, capsys):
    from rnn_course.selfgrade import reveal_answer, rubric, self_assess
    lines = rubric(STEM)
    assert len(lines) == 2 and all(p == 1 for p, _ in lines)
    shutil.copy(COURSE / f"{STEM}.ipynb", tmp_path / f"{STEM}.ipynb")
    monkeypatch.chdir(tmp_path)
    assert reveal_answer(STEM) is None                       # not answered: nothing revealed
    assert "Write your interview answer" in capsys.readouterr().out
    nb = nbformat.read(tmp_path / f"{STEM}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if manifest.nbg(c).get("grade_id") == "interview_answer")
    cell.source = "Forget, input and output gates; the additive cell keeps gradients."
    nbformat.write(nb, tmp_path / f"{STEM}.ipynb")
    assert reveal_answer(STEM) == lines
    with pytest.raises(ValueError):
        self_assess([1, 2])                                  # more than the line is worth
    data = self_assess([1, 0])
    assert data["score"] == 1 and data["max_score"] == 2
    rec = json.loads((tmp_path / ".progress" / "self_assessed" / f"{STEM}.json").read_text())
    assert rec["points"] == [1, 0]
    from rnn_course.progress import table
    row = {"number": 6, "title": "t", "level": "Medium", "score": 7, "max_score": 7, "status": "complete",
           "self_grade": 7, "self_assessed": 1, "self_assessed_max": 2}
    text = table([row])
    assert "1/2" in text and "self-assessed interview answers: 1 / 2" in text and "total: 7 / 7" in text
