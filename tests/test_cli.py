"""The rnn-course commands on a tiny class."""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys

import nbformat

import gradekit
from rnn_course.paths import COURSE, SOLUTIONS, solution_stems

STEM = solution_stems()[0]


def rnn_course(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "rnn_course.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def hidden_lines(stem):
    sol = nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
    out = []
    for c in sol.cells:
        for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", c.source, re.S):
            out += [ln.strip() for ln in block.splitlines() if len(ln.strip()) > 20]
    return out


def test_check_a_released_notebook(tmp_path):
    blank = tmp_path / f"{STEM}.ipynb"
    shutil.copy(COURSE / f"{STEM}.ipynb", blank)
    r = rnn_course("check", str(blank))
    assert r.returncode == 0, r.stderr
    assert re.search(r"auto-graded score: 0 / \d+", r.stdout), r.stdout
    assert "not auto-graded" in r.stdout and "not implemented yet" in r.stdout
    html = blank.with_suffix(".feedback.html").read_text()
    assert "status: <b>ok</b>" in html
    for line in hidden_lines(STEM):
        assert line not in html, f"hidden test source in the feedback: {line}"
    # (a filled notebook's check, full marks: tests/test_workspace.py, step 5 of the whole loop)


def test_check_explains_bad_targets(tmp_path):
    r = rnn_course("check", "99")
    assert r.returncode == 2 and "not a course notebook" in r.stderr
    renamed = tmp_path / f"{STEM[:2]}_my_copy.ipynb"
    shutil.copy(COURSE / f"{STEM}.ipynb", renamed)
    r = rnn_course("check", str(renamed))
    assert r.returncode == 2 and "rename it back" in r.stderr
    r = rnn_course("check", str(tmp_path / "nothing.ipynb"))
    assert r.returncode == 2 and "does not exist" in r.stderr


def test_check_spots_an_older_course_version(tmp_path):
    nb = gradekit.released(STEM)
    nb.metadata["rnn_course"]["version"] = "0123456789ab"
    path = gradekit.write(nb, tmp_path, "old", STEM)
    r = rnn_course("check", str(path))
    assert r.returncode == 0 and "older version of the course" in r.stdout, r.stdout + r.stderr


def test_grade_a_tiny_class(tmp_path):
    subs = tmp_path / "subs"
    gradekit.write(gradekit.filled(STEM), subs, "ada", STEM)
    (subs / "bob").mkdir()
    (subs / "bob" / f"{STEM}.ipynb").write_text("{ this is not json")
    (subs / "cyd").mkdir()                                  # handed in nothing
    out = tmp_path / "grades.csv"
    r = rnn_course("grade", str(subs), "--out", str(out), "--jobs", "2", "--quiet")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(open(out)))
    assert list(rows[0]) == ["learner", "notebook", "task", "score", "max_score", "status", "reason"]
    mine = [row for row in rows if row["notebook"] == STEM]
    status = {(row["learner"], row["status"]) for row in mine if row["status"] != "manual"}
    assert status == {("ada", "ok"), ("bob", "invalid_notebook"), ("cyd", "missing")}
    ada = [row for row in mine if row["learner"] == "ada" and row["status"] == "ok"]
    assert ada and all(row["score"] == row["max_score"] for row in ada)
    assert all(row["score"] == "0" for row in mine if row["learner"] in ("bob", "cyd") and row["status"] != "manual")
    assert (tmp_path / "grades_feedback" / "bob" / f"{STEM}.html").exists()
    assert all(row["reason"] == "" for row in ada)
    assert all("not valid JSON" in row["reason"] for row in mine if row["learner"] == "bob" and row["status"] != "manual")
    assert all(row["reason"] == f"no {STEM}.ipynb in the submission" for row in mine
               if row["learner"] == "cyd" and row["status"] != "manual")
    # every notebook of the course gets a row per task, handed in or not
    assert {row["notebook"] for row in rows} == set(solution_stems())
