"""The learner's loop on a fresh copy of the repository: workspace, release, update, check, reset.

The copy holds every tracked and untracked (not ignored) file of this checkout, committed in a
new git repository, so it is what a fresh clone of this branch (with the work in progress) is;
the commands run with RNN_COURSE_ROOT pointing at it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
STEM = "01_recurrence"


def nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def fresh_clone(dest: Path) -> Path:
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard", "-z"],
                           capture_output=True, text=True, check=True).stdout.split("\0")
    for f in filter(None, files):
        src = ROOT / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    git = ["git", "-C", str(dest), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "clone"], check=True)
    return dest


def rnn_course(root: Path, *args):
    env = dict(os.environ, RNN_COURSE_ROOT=str(root))
    return subprocess.run([sys.executable, "-m", "rnn_course.cli", *args], capture_output=True, text=True,
                          cwd=root, env=env, timeout=900)


def fill(path: Path, solutions: Path, stem: str) -> dict:
    """Fill every solution cell with the reference code, as a learner would; {grade_id: source}."""
    nb = nbformat.read(path, as_version=4)
    sol = {nbg(c).get("grade_id"): re.sub(r"^\s*### (BEGIN|END) SOLUTION\s*\n", "", c.source, flags=re.M)
           for c in nbformat.read(solutions / f"{stem}.ipynb", as_version=4).cells if nbg(c).get("solution")}
    for c in nb.cells:
        gid = nbg(c).get("grade_id")
        if nbg(c).get("solution") and gid in sol:
            c.source = sol[gid] if c.cell_type == "code" else "My answer: a hidden state carried over time."
    nbformat.write(nb, path)
    return {gid: c.source for c in nb.cells if (gid := nbg(c).get("grade_id")) and nbg(c).get("solution")}


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    return fresh_clone(tmp_path_factory.mktemp("clone"))


def test_the_whole_loop_on_a_fresh_clone(clone):
    ws = clone / "workspace"
    # 1. the workspace is made from course/ on first use; course/ is not touched
    r = rnn_course(clone, "workspace")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in ws.glob("*.ipynb")) == sorted(p.name for p in (clone / "course").glob("*.ipynb"))
    mine = ws / f"{STEM}.ipynb"
    learner = fill(mine, clone / "solutions", STEM)
    nb = nbformat.read(mine, as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if nbg(c).get("solution"))
    anchor = nb.cells[first].id
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell("scratch = 'my own experiment'"))
    nbformat.write(nb, mine)
    before = mine.read_bytes()
    # a second `workspace` never overwrites
    assert rnn_course(clone, "workspace").returncode == 0 and mine.read_bytes() == before

    # 2. release writes course/ only, never workspace/
    r = rnn_course(clone, "release", STEM[:2])
    assert r.returncode == 0, r.stderr
    assert mine.read_bytes() == before
    old_version = json.loads(before)["metadata"]["rnn_course"]["version"]

    # 3. a new version of the course: the Learn text and a visible test line change
    sol_path = clone / "solutions" / f"{STEM}.ipynb"
    sol = nbformat.read(sol_path, as_version=4)
    learn = next(c for c in sol.cells if c.cell_type == "markdown" and c.source.startswith("## 2. Learn"))
    learn.source += "\n\nA sentence added in the new release."
    test = next(c for c in sol.cells if nbg(c).get("grade") and not nbg(c).get("solution"))
    test.source = "# checked again in the new release\n" + test.source
    nbformat.write(sol, sol_path)
    r = rnn_course(clone, "release", STEM[:2])
    assert r.returncode == 0, r.stderr
    assert mine.read_bytes() == before
    history = json.loads((clone / "autograder" / "released_versions.json").read_text())[STEM]
    assert len({e["version"] for e in history.values()}) >= 2 and old_version in {e["version"] for e in history.values()}

    # 4. update: learner cells carried over by grade_id, the scratch cell kept after its cell, a backup
    r = rnn_course(clone, "update")
    assert r.returncode == 0, r.stderr
    assert f"{STEM}: updated to the new release" in r.stdout, r.stdout
    backups = list((ws / ".backup").glob(f"*/{STEM}.ipynb"))
    assert len(backups) == 1 and backups[0].read_bytes() == before, r.stdout
    new = nbformat.read(mine, as_version=4)
    assert new.metadata["rnn_course"]["version"] != old_version
    assert "A sentence added in the new release." in "".join(c.source for c in new.cells)
    got = {gid: c.source for c in new.cells if (gid := nbg(c).get("grade_id")) and nbg(c).get("solution")}
    assert got == learner
    for gid in learner:
        assert gid in r.stdout or learner[gid].startswith("# YOUR CODE")
    i = next(i for i, c in enumerate(new.cells) if c.get("id") == anchor)
    assert new.cells[i + 1].source == "scratch = 'my own experiment'"
    assert "kept 1 cell(s) you added" in r.stdout
    assert "# checked again in the new release" in "".join(c.source for c in new.cells)
    # nothing to do the second time
    r = rnn_course(clone, "update")
    assert "up to date" in r.stdout and len(list((ws / ".backup").glob(f"*/{STEM}.ipynb"))) == 1

    # 5. check resolves the number to workspace/: status ok, full marks for the carried code
    r = rnn_course(clone, "check", STEM[:2])
    assert r.returncode == 0, r.stderr
    assert f"workspace/{STEM}.ipynb" in r.stdout and "grading the saved file" in r.stdout, r.stdout
    m = re.search(r"auto-graded score: (\S+) / (\S+)\s+status: (\w+)", r.stdout)
    assert m and m.group(1) == m.group(2) and m.group(3) == "ok", r.stdout

    # 6. (the backup, a filled notebook of the previous release, grades ok with full marks:
    # tests/test_old_releases.py grades one, its note included)

    # 7. progress reads workspace/ and shows check's result; reset restores with a backup
    r = rnn_course(clone, "progress", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    row = next(ln for ln in r.stdout.splitlines() if ln.strip().startswith("1 "))
    assert "complete" in row, r.stdout
    row = next(ln for ln in r.stdout.splitlines() if ln.strip().startswith("2 "))     # as handed out
    assert "not started" in row, r.stdout
    r = rnn_course(clone, "reset", STEM[:2])
    assert r.returncode == 0 and "your version is saved as" in r.stdout, r.stdout
    assert mine.read_bytes() == (clone / "course" / f"{STEM}.ipynb").read_bytes()
    assert len(list((ws / ".backup").glob(f"*/{STEM}.ipynb"))) == 2


def test_update_names_what_it_cannot_place(tmp_path):
    """A solution cell whose task the new release dropped, and a released cell both sides changed."""
    from rnn_course.update import merge
    new = nbformat.read(ROOT / "course" / f"{STEM}.ipynb", as_version=4)
    old = nbformat.read(ROOT / "course" / f"{STEM}.ipynb", as_version=4)
    old.metadata["rnn_course"]["release"] = "not-known"
    gone = nbformat.v4.new_code_cell("def dropped(): return 1")
    gone.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "grade_id": "dropped_task"}
    old.cells.append(gone)
    merged, rep = merge(old, new, STEM)
    assert any("dropped_task" in x for x in rep.lost) and "NOT carried" in "\n".join(rep.lines())
    assert "def dropped" not in "".join(c.source for c in merged.cells)


def test_other_workspace_files_are_left_alone(clone):
    ws = clone / "workspace"
    ws.mkdir(exist_ok=True)
    other = ws / "16_schedule.json"
    other.write_text('{"mine": true}')
    rnn_course(clone, "update")
    rnn_course(clone, "reset", STEM[:2])
    assert other.read_text() == '{"mine": true}'


def test_doctor_passes_on_a_pristine_checkout(tmp_path):
    clone = fresh_clone(tmp_path)
    r = rnn_course(clone, "doctor")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[FAIL]" not in r.stdout and re.search(r"(\d+) in course/ for \1 in solutions/", r.stdout), r.stdout


def test_without_a_workspace_numbers_resolve_to_course_with_a_note(tmp_path):
    clone = fresh_clone(tmp_path)
    r = rnn_course(clone, "solution", STEM[:2])
    assert r.returncode == 0 and "not attempted" in r.stdout and "def " not in r.stdout
    r = rnn_course(clone, "check", STEM[:2])
    assert r.returncode == 0, r.stderr
    assert "there is no workspace yet" in r.stdout and f"course/{STEM}.ipynb" in r.stdout
    assert re.search(r"auto-graded score: 0 / \d+", r.stdout)
    assert not (clone / "workspace").exists()
