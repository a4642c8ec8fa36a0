"""The instructor's loop: collect an LMS export, grade a subset, hand-grade, merge, totals.

Fast tests build grades files by hand (no grading); one end-to-end test grades a small class
through nbgrader (three real jobs, --jobs 2).
"""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import zipfile

import nbformat
import pytest

import gradekit
from rnn_course import manual, stats, totals
from rnn_course.collect import CollectError, collect, parse
from rnn_course.grading import capture_answers, missing_result
from rnn_course.paths import ROOT, solution_stems
from rnn_course.report import CSV_COLUMNS, NotAGradesFile, read_csv

STEMS = solution_stems()
S01 = next(s for s in STEMS if s.startswith("01"))
S06 = next(s for s in STEMS if s.startswith("06"))
S11 = next(s for s in STEMS if s.startswith("11"))


def rnn_course(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "rnn_course.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=900)


def rnn_course_here(*args):
    """The command run in this process (``rnn_course.cli.main``, what the `rnn-course` script
    calls), with its output captured: a CompletedProcess. For the many bad-input cases, which
    would otherwise each start an interpreter and import the package (about 0.6 s of CPU);
    test_bad_input_in_a_real_process runs some of them as a real process."""
    import contextlib
    import io

    from rnn_course import cli
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as e:                         # argparse's usage errors
            code = e.code if isinstance(e.code, int) else 1
    return subprocess.CompletedProcess(["rnn-course", *map(str, args)], code, out.getvalue(), err.getvalue())


def assert_one_line_error(r, *words):
    assert r.returncode != 0, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for w in words:
        assert w.lower() in lines[0].lower(), lines[0]


def nb_bytes(nb) -> bytes:
    return nbformat.writes(nb).encode()


def with_answer(nb, text):
    for c in nb.cells:
        if gradekit.nbg(c).get("grade_id") == "interview_answer":
            c.source = text
    return nb


# ---------------------------------------------------------------- a class graded by hand-made results

def fake_class(tmp_path, learners=("ada", "bob"), stems=(S01,)):
    """grades.csv + grades.json as `grade` writes them, without running nbgrader."""
    results = []
    for learner in learners:
        for stem in stems:
            r = capture_answers(missing_result(learner, stem), None)
            if learner == "ada":                       # pretend ada handed it in and answered
                r.update(status="ok", message="")
                for t in r["tasks"]:
                    if t["manual"]:
                        t["answer"] = f"{learner} says: the state carries the past"
            results.append(r)
    csv_path = tmp_path / "grades.csv"
    manual.write_all(results, csv_path, tmp_path / "grades_feedback")
    return csv_path


# ---------------------------------------------------------------- every bad input: one line, non-zero

def bad_inputs(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / f"{S01}.ipynb").write_text("{}")
    nothing_graded = tmp_path / "nothing"
    (nothing_graded / "ada").mkdir(parents=True)
    (nothing_graded / "ada" / "notes.txt").write_text("x")
    grades = fake_class(tmp_path)
    nojson = tmp_path / "nojson.csv"
    nojson.write_bytes(grades.read_bytes())
    header = "learner,notebook,task,score,comment\n"
    manual_files = {
        "unknown_learner": header + f"zed,{S01},interview_answer,1,\n",
        "unknown_notebook": header + "ada,07,interview_answer,1,\n",
        "unknown_task": header + f"ada,{S01},rnn_scan,1,\n",
        "out_of_range": header + f"ada,{S01},interview_answer,5,\n",
        "negative": header + f"ada,{S01},interview_answer,-1,\n",
        "not_a_number": header + f"ada,{S01},interview_answer,two,\n",
        "duplicate": header + f"ada,{S01},interview_answer,1,\nada,01,interview_answer,2,\n",
        "not_manual_csv": "name,points\nada,1\n",
    }
    for name, text in manual_files.items():
        (tmp_path / f"{name}.csv").write_text(text)
    zip_nothing = tmp_path / "nothing.zip"
    with zipfile.ZipFile(zip_nothing, "w") as z:
        z.writestr("readme.txt", "hello")
        z.writestr("ada_my_notebook.ipynb", "{}")
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("x")
    cases = {
        "grade_nonexistent": (("grade", tmp_path / "no" / "such", "--quiet"), ["does not exist"]),
        "grade_a_file": (("grade", ROOT / "README.md", "--quiet"), ["file", "folder"]),
        "grade_empty_folder": (("grade", empty, "--quiet"), ["no learner folders"]),
        "grade_flat_notebooks": (("grade", flat, "--quiet"), ["collect"]),
        "grade_nothing_to_grade": (("grade", nothing_graded, "--quiet"), ["no learner folder"]),
        "grade_unknown_notebook": (("grade", empty, "--notebooks", "01", "99"), ["'99' is not a course notebook"]),
        "grade_out_is_folder": (("grade", empty, "--out", tmp_path), ["folder"]),
        "grade_bad_manual_first": (("grade", nothing_graded, "--manual", tmp_path / "out_of_range.csv"), ["outside 0..2"]),
        "grade_no_args": (("grade",), ["required"]),
        "release_unknown": (("release", "99"), ["'99' is not a course notebook"]),
        "check_unknown": (("check", "99"), ["not a course notebook"]),
        "check_nonexistent": (("check", tmp_path / "none" / f"{S01}.ipynb"), []),
        "check_a_folder": (("check", empty), []),
        "progress_nonexistent": (("progress", tmp_path / "none"), []),
        "progress_a_file": (("progress", a_file), []),
        "stats_not_grades": (("stats", ROOT / "README.md"), ["not a grades file"]),
        "stats_nonexistent": (("stats", tmp_path / "none.csv"), ["does not exist"]),
        "stats_folder": (("stats", tmp_path), ["folder"]),
        "stats_not_graded_notebook": (("stats", grades, "--notebooks", "07"), ["was not graded"]),
        "answers_not_grades": (("answers", ROOT / "README.md"), ["not a grades file"]),
        "answers_no_json": (("answers", nojson), ["nojson.json is missing"]),
        "merge_not_grades": (("merge", ROOT / "README.md", tmp_path / "duplicate.csv"), ["not a grades file"]),
        "merge_no_manual": (("merge", grades, tmp_path / "none.csv"), ["does not exist"]),
        "merge_manual_folder": (("merge", grades, empty), ["folder"]),
        "merge_not_manual_csv": (("merge", grades, tmp_path / "not_manual_csv.csv"), ["not a manual grades file"]),
        "totals_not_grades": (("totals", ROOT / "README.md"), ["not a grades file"]),
        "totals_out_folder": (("totals", grades, "--out", tmp_path), ["folder"]),
        "collect_nonexistent": (("collect", tmp_path / "none.zip", tmp_path / "subs"), ["does not exist"]),
        "collect_not_zip": (("collect", a_file, tmp_path / "subs"), ["not a zip"]),
        "collect_out_is_file": (("collect", empty, a_file), ["is a file"]),
        "collect_no_notebooks": (("collect", empty, tmp_path / "subs"), ["no notebooks"]),
        "collect_nothing_mapped": (("collect", zip_nothing, tmp_path / "subs"), ["could be mapped"]),
    }
    for name in manual_files:
        if name != "not_manual_csv":
            cases[f"merge_{name}"] = (("merge", grades, tmp_path / f"{name}.csv"), ["line"])
    return cases, grades


BAD = ["grade_nonexistent", "grade_a_file", "grade_empty_folder", "grade_flat_notebooks", "grade_nothing_to_grade",
       "grade_unknown_notebook", "grade_out_is_folder", "grade_bad_manual_first", "grade_no_args",
       "release_unknown", "check_unknown", "check_nonexistent", "check_a_folder", "progress_nonexistent",
       "progress_a_file", "stats_not_grades", "stats_nonexistent", "stats_folder",
       "stats_not_graded_notebook", "answers_not_grades", "answers_no_json", "merge_not_grades", "merge_no_manual",
       "merge_manual_folder", "merge_not_manual_csv", "totals_not_grades", "totals_out_folder",
       "collect_nonexistent", "collect_not_zip", "collect_out_is_file", "collect_no_notebooks",
       "collect_nothing_mapped", "merge_unknown_learner", "merge_unknown_notebook", "merge_unknown_task",
       "merge_out_of_range", "merge_negative", "merge_not_a_number", "merge_duplicate"]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_line_and_non_zero(tmp_path, case):
    cases, grades = bad_inputs(tmp_path)
    args, words = cases[case]
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    r = rnn_course_here(*args)
    assert_one_line_error(r, *words)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before, f"{case} changed files: {set(after) ^ set(before) or 'contents'}"


@pytest.mark.parametrize("case", ["grade_nonexistent", "grade_no_args", "merge_out_of_range", "check_unknown"])
def test_bad_input_in_a_real_process(tmp_path, case):
    """The same as a real `rnn-course` process: one line on stderr, a non-zero exit status."""
    cases, _ = bad_inputs(tmp_path)
    args, words = cases[case]
    r = rnn_course(*args)
    assert_one_line_error(r, *words)
    assert r.returncode == rnn_course_here(*args).returncode


def test_bad_inputs_cover_every_case(tmp_path):
    assert set(bad_inputs(tmp_path)[0]) == set(BAD)


# ---------------------------------------------------------------- grades.csv, stats, totals

def test_grades_csv_columns_and_reasons_in_full(tmp_path):
    long = "AssertionError: the gates are in the wrong order: " + "i, f, g, o expected " * 12
    rows = [["ada", S01, "rnn_scan", "3", "3", "ok", ""],
            ["bob", S01, "rnn_scan", "0", "3", "ok", long],
            ["cyd", S01, "rnn_scan", "0", "3", "ok", long],
            ["dan", S01, "rnn_scan", "0", "3", "missing", f"no {S01}.ipynb in the submission"],
            ["ada", S01, "interview_answer", "2", "2", "manual", ""],
            ["bob", S01, "interview_answer", "", "2", "manual", ""],
            ["cyd", S01, "interview_answer", "1", "2", "manual", "no mention of shared weights"],
            ["dan", S01, "interview_answer", "0", "2", "manual", "no answer"]]
    path = tmp_path / "g.csv"
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows([CSV_COLUMNS] + rows)
    got = read_csv(path)
    assert list(got[0]) == ["learner", "notebook", "task", "score", "max_score", "status", "reason"]
    st = {s["task"]: s for s in stats.compute(got)}
    assert (st["rnn_scan"]["lost"], st["rnn_scan"]["learners"]) == (3, 4)
    assert st["rnn_scan"]["reasons"][0] == (long, 2)
    assert (st["interview_answer"]["lost"], st["interview_answer"]["learners"]) == (2, 3)   # bob not graded yet
    text = stats.table(stats.compute(got))
    assert long in text and "75%" in text
    m = stats.matrix_table(got).splitlines()
    assert m[0] == "learners: 1=ada  2=bob  3=cyd  4=dan"
    assert m[-2].split()[-4:] == ["+", "x", "x", "x"] and m[-1].split()[-4:] == ["+", "?", "~", "x"]
    png = stats.heatmap(got, tmp_path / "m.png")
    assert png.stat().st_size > 1000
    head, body = totals.table_rows(got)
    bob = dict(zip(head, next(b for b in body if b[0] == "bob")))
    assert (bob["auto"], bob["manual"], bob["max"], bob["manual to grade"]) == ("0", "0", "5", "1")
    cyd = dict(zip(head, next(b for b in body if b[0] == "cyd")))
    assert (cyd[f"{S01} total"], cyd["total"]) == ("1", "1")


def test_not_a_grades_file(tmp_path):
    bad = tmp_path / "old.csv"
    bad.write_text("learner,notebook,task,score,max_score,status\nada,01,x,1,1,ok\n")
    with pytest.raises(NotAGradesFile, match="first line"):
        read_csv(bad)
    bad.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(NotAGradesFile):
        read_csv(bad)
    bad.write_text(",".join(CSV_COLUMNS) + "\n")
    with pytest.raises(NotAGradesFile, match="no grades"):
        read_csv(bad)


# ---------------------------------------------------------------- hand grading

def test_answers_then_merge_in_process(tmp_path):
    csv_path = fake_class(tmp_path)
    results = manual.load_results(csv_path)
    pages = manual.write_answers(results, tmp_path / "answers", tmp_path / "manual.csv")
    page = pages[0].read_text()
    assert "ada says: the state carries the past" in page and "Rubric" in page and "Model answer" in page
    with pytest.raises(manual.ManualError, match="already exists"):
        manual.write_answers(results, tmp_path / "answers", tmp_path / "manual.csv")
    rows = list(csv.DictReader(open(tmp_path / "manual.csv")))
    assert [(r["learner"], r["score"], r["comment"]) for r in rows] == [("ada", "", ""), ("bob", "0", "no answer")]
    assert "no submission of this notebook" in page
    known = manual.known_from_results(results)
    (tmp_path / "m.csv").write_text(f"learner,notebook,task,score,comment\nada,01,interview_answer,1.5,good\n"
                                    f"bob,{S01},interview_answer,,\n")
    entries = manual.parse_manual(tmp_path / "m.csv", known)
    assert entries == [("ada", S01, "interview_answer", 1.5, "good"), ("bob", S01, "interview_answer", None, "")]
    (tmp_path / "semi.csv").write_text("learner;notebook;task;score;comment\nada;01;interview_answer;2;ok\n")
    assert manual.parse_manual(tmp_path / "semi.csv", known)[0][3] == 2.0
    (tmp_path / "bad.csv").write_text("learner,notebook,task,score,comment\nada,01,interview_answer,2.5,\n"
                                      "ghost,01,interview_answer,1,\n")
    with pytest.raises(manual.ManualError, match=r"line 2: score 2.5 .* outside 0..2 \(and 1 more problems\)"):
        manual.parse_manual(tmp_path / "bad.csv", known)


def test_grade_with_manual_folds_scores_in(tmp_path, monkeypatch, capsys):
    """`grade --manual` validates first, grades, then folds the scores in (grading faked here)."""
    from rnn_course import cli, grading
    subs = tmp_path / "subs"
    (subs / "ada").mkdir(parents=True)
    (subs / "bob").mkdir()
    seen = {}

    def fake_grade(folder, limits, jobs, stems=None, progress=True, cluster=None):
        seen["stems"] = stems
        return [capture_answers(missing_result(learner, s), None) for learner in ("ada", "bob") for s in stems]
    monkeypatch.setattr(grading, "grade_folder", fake_grade)
    m = tmp_path / "manual.csv"
    m.write_text(f"learner,notebook,task,score,comment\nada,{S06},interview_answer,1,half the rubric\n")
    out = tmp_path / "grades.csv"
    assert cli.main(["grade", str(subs), "--notebooks", "6", "01", "--out", str(out), "--manual", str(m)]) == 0
    assert seen["stems"] == [S06, S01]
    rows = read_csv(out)
    assert {r["notebook"] for r in rows} == {S01, S06}
    ada = next(r for r in rows if r["learner"] == "ada" and r["notebook"] == S06 and r["status"] == "manual")
    assert (ada["score"], ada["reason"]) == ("1", "half the rubric")
    assert "half the rubric" in (tmp_path / "grades_feedback" / "ada" / f"{S06}.html").read_text()
    assert not (tmp_path / "grades_feedback" / "ada" / f"{S11}.html").exists()
    tot = list(csv.DictReader(open(tmp_path / "grades_totals.csv")))
    assert next(t for t in tot if t["learner"] == "ada")["manual"] == "1"
    assert "1 folded in" in capsys.readouterr().out


# ---------------------------------------------------------------- collect

@pytest.mark.parametrize("name, expected", [
    (f"lovelace_ada_12345_67890_{S01}.ipynb", ("lovelace_ada", S01, 0)),
    (f"lovelaceada_LATE_12345_67890_{S01}-2.ipynb", ("lovelaceada", S01, 2)),
    (f"Ada Lovelace_12345_assignsubmission_file_{S01}.ipynb", ("ada_lovelace", S01, 0)),
    (f"export/Ada Lovelace_12345_assignsubmission_file_/{S06}.ipynb", ("ada_lovelace", S06, 0)),
    (f"ada-{S01}.ipynb", ("ada", S01, 0)),
    (f"ada_{S01.upper()} (3).ipynb", ("ada", S01, 3)),
    (f"{S01}_ada.ipynb", ("ada", S01, 0)),
    (f"ada/{S01} (1).ipynb", ("ada", S01, 1)),
    (f"ada/{S01}-Copy1.ipynb", ("ada", S01, 1)),
    (f"submitted/Ada/{S01}/{S01}.ipynb", ("ada", S01, 0)),                  # nbgrader collect
    (f"inbound/ada+{S01}+2026-12-01 10:00:00.000000 UTC/{S01}.ipynb", ("ada", S01, 0)),   # the exchange
    (f"{S01}.ipynb", "no learner name"),
    (f"{S01}/{S01}.ipynb", "no learner name"),
    ("ada-01_my_copy.ipynb", "did the learner rename"),
])
def test_lms_names(name, expected):
    got = parse(name, STEMS)
    if isinstance(expected, str):
        assert isinstance(got, str) and expected in got
    else:
        assert got == expected


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, when in members:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return path


def test_collect_a_zip_safely(tmp_path):
    old, new = (2026, 1, 1, 10, 0, 0), (2026, 1, 2, 10, 0, 0)
    blank = nb_bytes(gradekit.released(S01))
    export = _zip(tmp_path / "export.zip", [
        (f"ada_1_2_{S01}.ipynb", b"first", new),
        (f"ada_1_3_{S01}-1.ipynb", b"second", old),            # higher version wins over newer
        (f"Bob B_7_assignsubmission_file_/{S01}.ipynb", blank, old),
        ("../evil_01_recurrence.ipynb", b"x", old),
        ("/abs/cyd_01_recurrence.ipynb", b"x", old),
        ("cyd_notes.txt", b"x", old),
        (f"dan_{S01}.ipynb", b"\0" * 200_000, old),             # over the (test) size limit
        (f"__MACOSX/._ada_{S01}.ipynb", b"x", old),
    ])
    out = tmp_path / "subs"
    rep = collect(export, out, max_file_mb=0.1)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == \
        [f"ada/{S01}.ipynb", f"bob_b/{S01}.ipynb"]
    assert (out / "ada" / f"{S01}.ipynb").read_bytes() == b"second"
    assert rep.duplicates == [(f"ada_1_3_{S01}-1.ipynb", f"ada_1_2_{S01}.ipynb", f"ada/{S01}.ipynb")]
    refused = dict(rep.refused)
    assert "'..'" in refused["../evil_01_recurrence.ipynb"] and "/abs/cyd_01_recurrence.ipynb" in refused
    assert "limit" in refused[f"dan_{S01}.ipynb"]
    assert dict(rep.unmapped) == {"cyd_notes.txt": "not a notebook (.ipynb)"}
    assert not (tmp_path / "evil_01_recurrence.ipynb").exists() and not (tmp_path.parent / "evil_01_recurrence.ipynb").exists()
    text = "\n".join(rep.lines())
    assert "kept ada_1_3" in text and "not mapped: cyd_notes.txt" in text

    # a second export never overwrites silently; --force does
    export2 = _zip(tmp_path / "export2.zip", [(f"ada_1_4_{S01}.ipynb", b"third", new), (f"ada-{S06}.ipynb", b"six", new)])
    rep2 = collect(export2, out)
    assert (out / "ada" / f"{S01}.ipynb").read_bytes() == b"second"
    assert (out / "ada" / f"{S06}.ipynb").read_bytes() == b"six"
    assert "--force replaces it" in "\n".join(rep2.lines())
    collect(export2, out, force=True)
    assert (out / "ada" / f"{S01}.ipynb").read_bytes() == b"third"


def test_collect_refuses_a_zip_bomb(tmp_path):
    bomb = _zip(tmp_path / "bomb.zip", [(f"l{i}_{S01}.ipynb", b"\0" * 400_000, (2026, 1, 1, 0, 0, 0)) for i in range(5)])
    assert bomb.stat().st_size < 20_000
    with pytest.raises(CollectError, match="more than 1 MiB"):
        collect(bomb, tmp_path / "subs", max_file_mb=1, max_total_mb=1)
    assert not (tmp_path / "subs").exists()


def test_collect_a_folder_export(tmp_path):
    exp = tmp_path / "export"
    (exp / "ada").mkdir(parents=True)
    (exp / "ada" / f"{S01}.ipynb").write_text("a")
    (exp / "ada" / f"{S01} (1).ipynb").write_text("b")
    (exp / f"bob-{S06}.ipynb").write_text("c")
    (exp / ".ipynb_checkpoints").mkdir()
    (exp / ".ipynb_checkpoints" / f"bob-{S06}-checkpoint.ipynb").write_text("old")
    os.symlink("/etc/passwd", exp / f"cyd_{S01}.ipynb")
    r = rnn_course("collect", exp, tmp_path / "subs")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "subs" / "ada" / f"{S01}.ipynb").read_text() == "b"
    assert (tmp_path / "subs" / "bob" / f"{S06}.ipynb").read_text() == "c"
    assert not (tmp_path / "subs" / "cyd").exists()
    assert "refused: cyd_" in r.stdout and "duplicate:" in r.stdout


# ---------------------------------------------------------------- end to end

def test_end_to_end_small_class(tmp_path):
    """collect a zip -> grade --notebooks 01 06 -> answers + manual.csv -> fill -> merge."""
    t0 = time.monotonic()
    day = (2026, 3, 2, 9, 0, 0)
    ada01 = with_answer(gradekit.filled(S01), "The hidden state h_t = f(h_{t-1}, x_t) carries the past; "
                                             "the same weights are used at every step.")
    ada06 = with_answer(gradekit.filled(S06), "Gates <b>decide</b> what to forget, write and output.")
    bob_wrong, bob_task = gradekit.wrong(S01)
    bob_wrong = with_answer(bob_wrong, "It is a network with a loop.")
    export = _zip(tmp_path / "canvas.zip", [
        (f"lovelace_ada_101_9001_{S01}.ipynb", nb_bytes(ada01), day),
        (f"lovelace_ada_101_9002_{S06}.ipynb", nb_bytes(ada06), day),
        (f"Bob Babbage_102_assignsubmission_file_{S01}.ipynb", nb_bytes(gradekit.released(S01)), day),
        (f"Bob Babbage_102_assignsubmission_file_{S01} (1).ipynb", nb_bytes(bob_wrong), day),
        (f"cyd/{S11}.ipynb", nb_bytes(gradekit.released(S11)), day),     # not part of this workshop
    ])
    subs = tmp_path / "subs"
    r = rnn_course("collect", export, subs)
    assert r.returncode == 0, r.stderr
    assert "duplicate:" in r.stdout and "collected 4 notebooks" in r.stdout

    out = tmp_path / "grades.csv"
    r = rnn_course("grade", subs, "--notebooks", "01", "06", "--out", out, "--jobs", "2", "--quiet")
    assert r.returncode == 0, r.stderr
    rows = read_csv(out)
    assert list(rows[0]) == CSV_COLUMNS
    assert {row["notebook"] for row in rows} == {S01, S06}
    status = {(row["learner"], row["notebook"]): row["status"] for row in rows if row["status"] != "manual"}
    assert status == {("lovelace_ada", S01): "ok", ("lovelace_ada", S06): status[("lovelace_ada", S06)],
                      ("bob_babbage", S01): "ok", ("bob_babbage", S06): "missing",
                      ("cyd", S01): "missing", ("cyd", S06): "missing"}
    bob = {row["task"]: row for row in rows if row["learner"] == "bob_babbage" and row["notebook"] == S01}
    assert bob[bob_task]["score"] == "0" and bob[bob_task]["reason"]
    assert all(row["reason"] == "" for row in bob.values() if row["task"] != bob_task and row["status"] != "manual")
    fb = tmp_path / "grades_feedback"
    assert sorted(p.relative_to(fb).as_posix() for p in fb.rglob("*.html")) == sorted(
        f"{learner}/{s}.html" for learner in ("bob_babbage", "cyd", "lovelace_ada") for s in (S01, S06))
    assert all("missing" in row["status"] for row in rows if row["learner"] == "cyd" and row["status"] != "manual")

    r = rnn_course("answers", out)
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "grades_answers" / f"{S01}.html").read_text()
    assert "the same weights are used at every step" in page and "Model answer" in page and "Rubric" in page
    page6 = (tmp_path / "grades_answers" / f"{S06}.html").read_text()
    assert "Gates &lt;b&gt;decide&lt;/b&gt;" in page6          # learner text is escaped, not rendered
    mrows = list(csv.DictReader(open(tmp_path / "manual.csv")))
    assert [list(m) for m in mrows[:1]] == [["learner", "notebook", "task", "score", "comment"]]
    assert len(mrows) == 6
    fill = {("lovelace_ada", S01): ("2", "clear and complete"), ("lovelace_ada", S06): ("1", "forget gate, but no cell state"),
            ("bob_babbage", S01): ("0.5", "names the loop only")}
    for m in mrows:
        if (m["learner"], m["notebook"]) in fill:
            assert m["score"] == ""
            m["score"], m["comment"] = fill[(m["learner"], m["notebook"])]
        else:
            assert (m["score"], m["comment"]) == ("0", "no answer")
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=manual.MANUAL_COLUMNS)
    w.writeheader()
    w.writerows(mrows)
    (tmp_path / "manual.csv").write_text(buf.getvalue())

    r = rnn_course("merge", out, tmp_path / "manual.csv")
    assert r.returncode == 0, r.stderr
    assert "6 hand-graded scores folded in, 0 still to grade" in r.stdout
    rows = read_csv(out)
    hand = {(row["learner"], row["notebook"]): (row["score"], row["reason"]) for row in rows if row["status"] == "manual"}
    assert hand[("lovelace_ada", S01)] == ("2", "clear and complete")
    assert hand[("bob_babbage", S01)] == ("0.5", "names the loop only")
    tot = {t["learner"]: t for t in csv.DictReader(open(tmp_path / "grades_totals.csv"))}
    for learner, t in tot.items():
        mine = [row for row in rows if row["learner"] == learner]
        assert float(t["total"]) == sum(float(row["score"] or 0) for row in mine)
        assert float(t["max"]) == sum(float(row["max_score"]) for row in mine)
        assert t["manual to grade"] == "0"
    assert (tot["lovelace_ada"]["manual"], tot["bob_babbage"]["manual"], tot["cyd"]["manual"]) == ("3", "0.5", "0")
    assert float(tot["lovelace_ada"][f"{S01} total"]) == sum(
        float(row["score"]) for row in rows if row["learner"] == "lovelace_ada" and row["notebook"] == S01)
    html = (fb / "lovelace_ada" / f"{S06}.html").read_text()
    assert "forget gate, but no cell state" in html and "Graded by hand" in html
    assert "names the loop only" in (fb / "bob_babbage" / f"{S01}.html").read_text()
    results = json.loads((tmp_path / "grades.json").read_text())
    assert {r["stem"] for r in results} == {S01, S06}

    r = rnn_course("stats", out)
    assert r.returncode == 0, r.stderr
    assert S11 not in r.stdout and "names the loop only" in r.stdout and "learners: 1=bob_babbage" in r.stdout
    assert (tmp_path / "grades_matrix.png").stat().st_size > 1000
    print(f"end to end: {time.monotonic() - t0:.0f} s")


def test_regrading_keeps_hand_scores_of_unchanged_answers(tmp_path):
    csv_path = fake_class(tmp_path, learners=("ada", "bob"))
    results = manual.load_results(csv_path)
    manual.apply(results, [("ada", S01, "interview_answer", 2.0, "complete"),
                           ("bob", S01, "interview_answer", 0.0, "no answer")])
    manual.write_all(results, csv_path, tmp_path / "fb")
    again = json.loads(json.dumps(results))
    for r in again:
        for t in r["tasks"]:
            if t["manual"]:
                t.update(score=None, comment="")
                if r["learner"] == "bob":
                    t["answer"] = "a new answer handed in later"
    assert manual.carry_over(again, csv_path) == (1, 1)
    hand = {r["learner"]: next(t for t in r["tasks"] if t["manual"]) for r in again}
    assert (hand["ada"]["score"], hand["ada"]["comment"]) == (2.0, "complete")
    assert hand["bob"]["score"] is None


def test_answers_are_captured_from_any_file(tmp_path):
    """A broken or odd submission still gets a result with an (empty) answer, never an exception."""
    odd = gradekit.released(S01)
    for c in odd.cells:
        if gradekit.nbg(c).get("grade_id") == "interview_answer":
            c.source = "my answer"
    odd.cells.insert(0, nbformat.v4.new_markdown_cell("x", metadata={"nbgrader": "not a dict"}))
    files = {"odd": nb_bytes(odd), "binary": b"\xff\xfe\x00", "text": b"{ not json", "list": b"[]"}
    for name, data in files.items():
        (tmp_path / f"{name}.ipynb").write_bytes(data)
    got = {name: next(t for t in capture_answers(missing_result("x", S01), tmp_path / f"{name}.ipynb")["tasks"]
                      if t["manual"])["answer"] for name in files}
    assert got == {"odd": "my answer", "binary": "", "text": "", "list": ""}
