"""A notebook of an earlier release (from git history) is graded `ok` against the current tests;
a test cell that no release ever had is still `tampered`."""
from __future__ import annotations

import subprocess

import nbformat
import pytest

from rnn_course import manifest, versions
from rnn_course.grading import grade_folder
from rnn_course.paths import ROOT, SOLUTIONS
from rnn_course.release import course_version

STEM = "06_lstm_gates"


def _test_cells(nb) -> dict:
    return {manifest.nbg(c)["grade_id"]: c.source for c in nb.cells
            if manifest.nbg(c).get("locked") and manifest.nbg(c).get("grade_id")}


def previous_release(stem: str, other_tests: bool = False):
    """The newest committed course/<stem>.ipynb whose course version is not the current one
    (other_tests: and whose test cells differ from the current release's)."""
    current = _test_cells(nbformat.read(ROOT / "course" / f"{stem}.ipynb", as_version=4))
    commits = subprocess.run(["git", "-C", str(ROOT), "log", "--format=%H", "--", f"course/{stem}.ipynb"],
                             capture_output=True, text=True, check=True).stdout.split()
    for c in commits:
        text = subprocess.run(["git", "-C", str(ROOT), "show", f"{c}:course/{stem}.ipynb"],
                              capture_output=True, text=True, check=True).stdout
        nb = nbformat.reads(text, as_version=4)
        if nb.metadata.get("rnn_course", {}).get("version") != course_version(stem) \
                and (not other_tests or _test_cells(nb) != current):
            return c, nb
    pytest.skip(f"git history has no earlier release of {stem}")


def fill(nb):
    sol = {manifest.nbg(c).get("grade_id"): c.source
           for c in nbformat.read(SOLUTIONS / f"{STEM}.ipynb", as_version=4).cells if manifest.nbg(c).get("solution")}
    for c in nb.cells:
        gid = manifest.nbg(c).get("grade_id")
        if manifest.nbg(c).get("solution") and gid in sol and c.cell_type == "code":
            c.source = sol[gid]
    return nb


def test_the_history_knows_every_committed_release():
    commit, nb = previous_release(STEM)
    hist = versions.history(STEM)
    assert versions.release_id(nb) in hist, f"{commit}: run versions.record_git_history()"
    assert versions.known_version(STEM, nb.metadata["rnn_course"]["version"])


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Two learners' notebooks of earlier releases, graded as one batch (one worker slot):
    ``filled`` the newest earlier release whose test cells differ from the current ones, filled
    in with the solution; ``own_test`` an earlier release with a test cell replaced by the
    learner's own."""
    folder = tmp_path_factory.mktemp("old")
    commit, nb = previous_release(STEM, other_tests=True)
    old_tests = _test_cells(nb)
    nbformat.write(fill(nb), _path(folder, "filled"))
    _, nb = previous_release(STEM)
    nb = fill(nb)
    cell = next(c for c in nb.cells if manifest.nbg(c).get("grade_id") == "test_lstm_param_count")
    cell.source = "pass  # the learner's own 'test'"
    nbformat.write(nb, _path(folder, "own_test"))
    results = {r["learner"]: r for r in grade_folder(folder, n_jobs=1, stems=[STEM], progress=False)}
    return results, commit, old_tests


def _path(folder, learner):
    (folder / learner).mkdir()
    return folder / learner / f"{STEM}.ipynb"


def test_previous_release_filled_in_grades_ok_with_full_marks(graded):
    results, commit, old_tests = graded
    res = results["filled"]
    assert res["status"] == "ok", (commit, res["notes"], res["message"])
    # full marks on every task the earlier release had; tasks added since (e.g. follow-ups) come
    # in as unanswered stubs and are the only ones that may lose points
    old = [t for t in res["tasks"] if not t["manual"] and t["cell"] in old_tests]
    assert old and all(t["score"] == t["max_score"] for t in old), [(t["task"], t["reason"]) for t in old]
    new = [t for t in res["tasks"] if not t["manual"] and t["cell"] not in old_tests]
    assert sum(t["max_score"] for t in old + new) == manifest.auto_max(STEM)
    assert any("earlier release" in n for n in res["notes"]), res["notes"]
    current = _test_cells(nbformat.read(ROOT / "course" / f"{STEM}.ipynb", as_version=4))
    assert any(old_tests.get(k) != v for k, v in current.items()), "the test cells did change between releases"


def test_a_test_cell_no_release_had_is_still_tampered(graded):
    res = graded[0]["own_test"]
    assert res["status"] == "tampered"
    assert any("test_lstm_param_count" in n and "edited" in n for n in res["notes"]), res["notes"]


def test_normalise_upgrades_metadata_adds_and_drops_cells():
    """In-process: an earlier release's structure is brought to the current one without notes."""
    from rnn_course.prepare import repair
    from rnn_course.release import released_path
    _, old = previous_release(STEM)
    released = nbformat.read(released_path(STEM), as_version=4) if released_path(STEM).exists() \
        else nbformat.read(ROOT / "course" / f"{STEM}.ipynb", as_version=4)
    prepared = repair(fill(old), released)
    assert prepared.notes == []
    assert [manifest.nbg(c).get("grade_id") for c in prepared.nb.cells if manifest.nbg(c).get("grade_id")] == \
        [manifest.nbg(c).get("grade_id") for c in released.cells if manifest.nbg(c).get("grade_id")]
    assert not any(versions.is_course_cell(c) for c in prepared.nb.cells)
