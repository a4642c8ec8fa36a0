"""Generate the learner notebooks (course/) and the gradebook from solutions/ with nbgrader."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from .paths import COURSE, SOLUTIONS, WORK, practice_stems, solution_stems


class ReleaseError(RuntimeError):
    pass


@contextmanager
def work_lock(shared: bool = False):
    """One process at a time changes autograder/work (the gradebook lives there); readers
    that copy the gradebook take the lock shared."""
    WORK.mkdir(parents=True, exist_ok=True)
    with open(WORK / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _digest(stem: str) -> str:
    return hashlib.sha256((SOLUTIONS / f"{stem}.ipynb").read_bytes()).hexdigest()


def _state_file() -> Path:
    return WORK / "released.json"


def _state() -> dict:
    try:
        return json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return {}


def _generate(stems: list[str]) -> None:
    from nbgrader.apps import NbGraderAPI

    from .nbconfig import tree_config

    cfg = tree_config(WORK)
    cfg.NbGrader.logfile = ""
    state = _state()
    cwd = os.getcwd()
    os.chdir(WORK)
    try:
        api = NbGraderAPI(config=cfg)
        for stem in stems:
            src = WORK / "source" / stem
            shutil.rmtree(src, ignore_errors=True)
            src.mkdir(parents=True)
            shutil.copy(SOLUTIONS / f"{stem}.ipynb", src / f"{stem}.ipynb")
            res = api.generate_assignment(stem, force=True, create=True)
            if not res.get("success"):
                raise ReleaseError(f"nbgrader could not release {stem}:\n{res.get('error') or res.get('log')}")
            _stamp(stem)
            state[stem] = _digest(stem)
            _state_file().write_text(json.dumps(state, indent=1, sort_keys=True))
    finally:
        os.chdir(cwd)


def course_version(stem: str) -> str:
    """A short fingerprint of the solution a released notebook was made from."""
    return _digest(stem)[:12]


SELFGRADE_MD_ID, SELFGRADE_ID, ASSESS_ID = "rnn-selfgrade-md", "rnn-selfgrade", "rnn-self-assess"


def _course_cell(cell, cid: str):
    """A cell the release adds to every notebook (not graded, not editable)."""
    from .versions import ROLE_SELFGRADE
    cell["id"] = cid
    cell.metadata.update({"rnn_course": {"role": ROLE_SELFGRADE}, "editable": False, "deletable": False})
    return cell


def add_course_cells(nb, stem: str):
    """What every released notebook gets from the release code, uniformly:

    - the card's rendered HTML as the stored output of the ``show_card`` cell, so JupyterLab
      shows the card on open, without running anything (the interview answer collapsed);
    - after the manually graded interview answer: a cell that reveals the model answer and
      rubric and records the learner's self-assessed points;
    - at the end: the self-grade cell (visible and hidden tests on the live kernel).
    """
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

    from helpers.card import Card
    from .manifest import nbg
    number = int(stem[:2])
    for cell in nb.cells:
        if cell.cell_type == "code" and "show_card(" in cell.source:
            card = Card(number)
            cell.outputs = [new_output("display_data", data={"text/html": card._repr_html_(),
                                                             "text/plain": repr(card)})]
            cell.execution_count = None
            break
    answer = next((i for i, c in enumerate(nb.cells) if nbg(c).get("grade_id") == "interview_answer"), None)
    if answer is not None:
        nb.cells.insert(answer + 1, _course_cell(new_code_cell(
            "# After writing your answer above: the model answer and its rubric, to compare with yours.\n"
            "# Then record your points per rubric line, e.g. self_assess([1, 0]); `rnn-course progress`\n"
            "# shows them apart from the auto-graded points.\n"
            "from rnn_course.selfgrade import reveal_answer, self_assess\n"
            f"reveal_answer({stem!r})"), ASSESS_ID))
    nb.cells.append(_course_cell(new_markdown_cell(
        "## Self-grade\n\n"
        "Run the cell below after running the notebook: it runs this notebook's visible **and hidden** "
        "tests against the functions as they are defined in your kernel right now (no need to save), "
        "prints your points per task with the reason for each task lost, and records the result for "
        "`rnn-course progress`. `rnn-course check " + stem[:2] + "` in a terminal is the full, official "
        "re-run of the saved file."), SELFGRADE_MD_ID))
    nb.cells.append(_course_cell(new_code_cell(
        f"from rnn_course.selfgrade import self_grade\n\nself_grade({stem!r})"), SELFGRADE_ID))
    return nb


def _stamp(stem: str) -> None:
    """Record in the released notebook which course notebook, version and release it is."""
    import nbformat

    from .versions import release_id
    path = released_path(stem)
    nb = nbformat.read(path, as_version=4)
    add_course_cells(nb, stem)
    nb.metadata["rnn_course"] = {"notebook": stem, "version": course_version(stem)}
    nb.metadata["rnn_course"]["release"] = release_id(nb)
    nbformat.write(nb, path)


def released_path(stem: str) -> Path:
    return WORK / "release" / stem / f"{stem}.ipynb"


def ensure_gradebook(stems: list[str] | None = None) -> None:
    """Make sure the gradebook holds the current solutions (regenerate what changed)."""
    stems = stems or solution_stems()
    with work_lock():
        state = _state()
        stale = [s for s in stems if state.get(s) != _digest(s) or not released_path(s).exists()
                 or not (WORK / "gradebook.db").exists()]
        if stale:
            _generate(stale)


def release(stems: list[str] | None = None, out: Path = COURSE) -> list[Path]:
    """Regenerate course/NN_name.ipynb for the given (default: all) solution notebooks.

    Writes course/, the gradebook and autograder/released_versions.json; never workspace/
    (``rnn-course update`` brings a new release into the learner's workspace)."""
    full = not stems
    stems = stems or solution_stems()
    with work_lock():
        _generate(stems)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for stem in stems:
            dest = out / f"{stem}.ipynb"
            shutil.copy(released_path(stem), dest)
            written.append(dest)
            if Path(out).resolve() == COURSE.resolve():      # the course's own release: remember it
                import nbformat

                from .versions import record
                record(stem, nbformat.read(dest, as_version=4))
        if full:
            written += [_release_practice(stem, out) for stem in practice_stems()]
        from .index import write as write_index
        written.append(write_index(out))
    return written


def _release_practice(stem: str, out: Path) -> Path:
    """A notebook with no graded cells (the mock interview): released as written, outputs cleared."""
    import nbformat
    nb = nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata["rnn_course"] = {"notebook": stem, "version": course_version(stem), "graded": False}
    dest = Path(out) / f"{stem}.ipynb"
    nbformat.write(nb, dest)
    return dest
