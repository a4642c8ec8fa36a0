"""The mock interview (notebook 16): the bank, the Leitner schedule, sessions, whiteboard drills."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from helpers import interview as I

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


class Clock:
    """A fake monotonic clock: each call moves 30 s on."""

    def __init__(self):
        self.t = 0.0

    def __call__(self):
        self.t += 30.0
        return self.t


@pytest.fixture(scope="module")
def bank():
    return I.question_bank()


def test_bank_reads_every_card_rubric_and_quick_check(bank):
    cards = [it for it in bank if it.kind == "card"]
    assert [it.question for it in cards] == list(range(1, 16))
    assert all(len(it.rubric) >= 2 and "point" in it.rubric[0] for it in cards), "rubric lines from solutions/"
    quick = [it for it in bank if it.kind == "quick"]
    assert len(quick) >= 10 and all(it.expected in ("a", "b", "c", "d") for it in quick)
    assert {it.id for it in bank if it.kind == "whiteboard"} == {f"wb.{n}" for n in I.DRILLS}
    ids = [it.id for it in bank]
    assert len(ids) == len(set(ids))


def test_follow_ups_are_read_from_the_notebook_format():
    nb = {"cells": [
        {"cell_type": "markdown", "source": "<details><summary><b>Follow-up 1.</b> Why clip?</summary>\n\n"
                                            "Because exploding gradients wreck a step.\n</details>"},
        {"cell_type": "markdown", "source": "How many rounds for T = 8?"},
        {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "followup_1", "solution": True, "grade": False}},
         "source": "### BEGIN SOLUTION\nfollowup_1 = 3\n### END SOLUTION"}]}
    items = {it.id: it for it in I.items_from_notebook(nb, 5)}
    assert items["q05.followup1"].prompt == "Why clip?"
    assert "exploding" in items["q05.followup1"].answer
    assert items["q05.followup_1"].expected == 3 and items["q05.followup_1"].prompt == "How many rounds for T = 8?"


def test_numeric_prompts_agree_with_torch(bank):
    import torch

    from helpers.torch_map import module_parameter_count
    by_id = {it.id: it for it in bank}
    assert by_id["num.lstm.32.64"].expected == module_parameter_count(torch.nn.LSTM(32, 64)) == 25088
    assert by_id["num.gru.32.64"].expected == 18816
    assert by_id["num.bi.out"].expected == 64


def test_leitner_boxes():
    s = I.Schedule()
    e = s.record("a", 1.0, NOW)
    assert e["box"] == 2 and s.due("a") == NOW + timedelta(days=I.BOX_DAYS[1])
    s.record("a", 1.0, NOW)
    assert s.box("a") == 3
    s.record("a", 0.0, NOW)
    assert s.box("a") == 1 and s.due("a") == NOW
    s.record("b", 0.5, NOW)
    assert s.box("b") == 1


def test_a_seeded_session_gives_a_fixed_schedule(tmp_path, bank):
    """Given answers -> given schedule, and the draw is the same for the same seed."""
    path = tmp_path / "workspace" / ".review" / "schedule.json"
    first = I.MockInterview(n=5, seed=7, schedule=path, now=NOW, bank=bank, clock=Clock())
    again = I.MockInterview(n=5, seed=7, schedule=None, now=NOW, bank=bank)
    assert [it.id for it in first.queue] == [it.id for it in again.queue]
    assert len({it.question for it in first.queue}) >= 4, "a mix of topics"
    for it in list(first.queue):
        first.ask()
        if it.auto:
            first.answer(it.expected if it.kind == "quick" else -1)   # right choices, wrong numbers
        else:
            first.answer("my answer")
            first.score(*([1] + [0] * (len(it.rubric) - 1)))
    data = json.loads(path.read_text())
    assert data["version"] == I.SCHEDULE_VERSION
    want = {}
    for it in again.queue:
        right = it.kind == "quick" or (not it.auto and len(it.rubric) == 1)
        frac = 1.0 if right else (0.0 if it.auto else 1 / len(it.rubric))
        box = 2 if frac >= 0.75 else 1
        want[it.id] = (box, (NOW + timedelta(days=I.BOX_DAYS[box - 1])).isoformat(timespec="seconds"))
    assert {k: (v["box"], v["due"]) for k, v in data["items"].items()} == want
    assert all(v["seen"] == 1 for v in data["items"].values())
    # a later session reloads the file and prefers what is due
    later = I.MockInterview(n=3, seed=1, schedule=path, now=NOW + timedelta(days=2), bank=bank)
    assert later.schedule.entries == data["items"]


def test_weights_prefer_due_and_lost_topics(bank):
    s = I.Schedule()
    card = next(it for it in bank if it.id == "q06.card")
    fresh = s.weight(card, NOW)
    s.record(card.id, 1.0, NOW)
    assert s.weight(card, NOW) < fresh, "just answered right: not due"
    assert s.weight(card, NOW + timedelta(days=30)) > fresh, "overdue"
    assert s.weight(next(it for it in bank if it.id == "q07.card"), NOW, graded={7: 0.0}) > fresh


def test_whiteboard_names_missing_and_extra_edges():
    ref = [e for group in I.DRILLS["lstm_cell"].groups.values() for e in group]
    assert I.compare_drawing("lstm_cell", ref)["score"] == 1.0
    r = I.compare_drawing("lstm_cell", ref[1:] + [("h", "x")])
    assert r["missing"] == {"gate inputs": [I._canon(ref[0])]} and r["extra"] == [("h", "x", "fwd")]
    assert r["score"] < 1.0


def test_unrolled_drill_is_hashed_and_complete():
    fwd = [(f"x{t}", f"h{t}") for t in (1, 2, 3)] + [(f"h{t - 1}", f"h{t}") for t in (1, 2, 3)] \
        + [(f"h{t}", f"y{t}") for t in (1, 2, 3)] + [(f"y{t}", "L") for t in (1, 2, 3)]
    grad = [(b, a, "grad") for a, b in fwd if not a.startswith("x")]
    assert I.compare_drawing("unrolled_bptt", fwd + grad)["score"] == 1.0
    r = I.compare_drawing("unrolled_bptt", fwd)
    assert r["missing"] == {"gradient arrows": 9} and r["extra"] == []
    src = open(I.__file__).read()
    assert '("h0", "h1")' not in src and "f\"h{t - 1}\"" not in src, "no plain reference of 03's graded graph"


def test_bad_calls_are_clear(bank, tmp_path):
    m = I.MockInterview(schedule=None, now=NOW, bank=bank, ids=["q02.card"])
    with pytest.raises(I.InterviewError, match="mock.ask"):
        m.answer("x")
    m.ask()
    with pytest.raises(I.InterviewError, match="non-empty string"):
        m.answer(3)
    m.answer("h_t = tanh(...)")
    with pytest.raises(I.InterviewError, match="score the last answer"):
        m.ask()
    with pytest.raises(I.InterviewError, match="one 0 or 1 per rubric line"):
        m.score(1)
    assert "rubric line" in repr(m.score(...))
    with pytest.raises(I.InterviewError, match="whiteboard drill"):
        I.compare_drawing("nope", [])
    with pytest.raises(I.InterviewError, match="an edge is"):
        I.compare_drawing("lstm_cell", ["x->f"])
    bad = tmp_path / "schedule.json"
    bad.write_text("not json")
    with pytest.raises(I.InterviewError, match="not a review schedule"):
        I.Schedule.load(bad)
    with pytest.raises(I.InterviewError, match="no prompts"):
        I.MockInterview(schedule=None, bank=bank, ids=["q99.card"])


def test_the_schedule_is_only_written_in_workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("RNN_COURSE_REVIEW", raising=False)
    monkeypatch.chdir(tmp_path)
    assert I.default_schedule_path() is None
    ws = tmp_path / "workspace"
    ws.mkdir()
    monkeypatch.chdir(ws)
    assert I.default_schedule_path() == ws / ".review" / "schedule.json"


def test_the_schedule_survives_rnn_course_update(tmp_path):
    """`rnn-course update` rewrites only NN_name.ipynb files: workspace/.review is kept."""
    import shutil

    import nbformat

    from rnn_course.paths import SOLUTIONS
    from rnn_course.update import update
    course, ws = tmp_path / "course", tmp_path / "workspace"
    course.mkdir()
    (ws / ".review").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "16_mock_interview.ipynb", course / "16_mock_interview.ipynb")
    shutil.copy(course / "16_mock_interview.ipynb", ws / "16_mock_interview.ipynb")
    s = I.Schedule(ws / ".review" / "schedule.json")
    s.record("q06.card", 1.0, NOW)
    s.save()
    before = (ws / ".review" / "schedule.json").read_bytes()
    nb = nbformat.read(course / "16_mock_interview.ipynb", as_version=4)
    nb.cells[0].source += "\n\nA new release."
    nbformat.write(nb, course / "16_mock_interview.ipynb")
    update(ws=ws, course=course)
    assert (ws / ".review" / "schedule.json").read_bytes() == before
    assert "A new release." in (ws / "16_mock_interview.ipynb").read_text()
