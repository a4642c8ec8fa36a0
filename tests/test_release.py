"""course/ is exactly what `rnn-course release` makes of solutions/."""
from __future__ import annotations

import re

import nbformat

from rnn_course.paths import COURSE, SOLUTIONS, solution_stems
from rnn_course.release import release


def test_course_matches_a_fresh_release(tmp_path):
    release(out=tmp_path)          # everything, the mock interview included
    fresh = sorted(p.name for p in tmp_path.glob("*.ipynb"))
    assert "00_index.ipynb" in fresh
    drift = [n for n in fresh if not (COURSE / n).exists() or (COURSE / n).read_bytes() != (tmp_path / n).read_bytes()]
    assert not drift, f"course/ is stale for {drift}: run `rnn-course release` and commit course/"
    extra = sorted(p.name for p in COURSE.glob("*.ipynb") if p.name not in fresh)
    assert not extra, f"course/ has notebooks that the release does not make: {extra}"


def test_index_lists_every_question_and_the_checklist():
    from helpers.questions import QUESTIONS
    text = "\n".join(c.source for c in nbformat.read(COURSE / "00_index.ipynb", as_version=4).cells)
    for q in QUESTIONS:
        assert q.title in text and q.colour in text
        assert (f"({q.notebook})" in text) == (SOLUTIONS / q.notebook).exists()
    assert "Quick-review checklist" in text and "show_progress()" in text


def test_released_notebooks_hide_solutions_and_hidden_tests():
    for stem in solution_stems():
        nb = nbformat.read(COURSE / f"{stem}.ipynb", as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        assert "### BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        assert "raise NotImplementedError()" in text
        for c in nb.cells:                                    # the card's rendered HTML is the only output
            assert c.cell_type != "code" or not c.outputs or "show_card(" in c.source, \
                f"{stem}: outputs left in the released notebook"
        sol = nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
        # what the learner may see: the solution notebook without its hidden tests and answers
        public = "\n".join(re.sub(r"### BEGIN (HIDDEN TESTS|SOLUTION).*?### END \1", "", c.source, flags=re.S)
                           for c in sol.cells)
        for c in sol.cells:
            for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", c.source, re.S):
                lines = [ln.strip() for ln in block.splitlines() if len(ln.strip()) > 25]
                leaked = [ln for ln in lines if ln in text and ln not in public]
                assert not leaked, f"{stem}: hidden test lines leaked into course/: {leaked[:2]}"


def test_every_released_notebook_shows_its_card_and_ends_with_the_self_grade_cell():
    from helpers.questions import BY_STEM
    from rnn_course.versions import is_course_cell
    for stem in solution_stems():
        nb = nbformat.read(COURSE / f"{stem}.ipynb", as_version=4)
        q = BY_STEM[stem]
        card = next(c for c in nb.cells if c.cell_type == "code" and "show_card(" in c.source)
        html = "".join(card.outputs[0]["data"]["text/html"])
        assert f"Q{q.number}." in html and q.colour in html
        # the model answer is there, collapsed behind a summary
        assert re.search(r"<details[^>]*><summary>show the interview answer.*</summary>.*Answer\..*</details>", html)
        assert nb.cells[-1].source.strip().endswith(f"self_grade({stem!r})") and is_course_cell(nb.cells[-1])
        assert nb.cells[-1].metadata.get("editable") is False
        i = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "interview_answer")
        assert f"reveal_answer({stem!r})" in nb.cells[i + 1].source
        assert nb.metadata["rnn_course"]["release"]


def test_released_versions_remember_the_current_release():
    from rnn_course.versions import history, release_id
    for stem in solution_stems():
        nb = nbformat.read(COURSE / f"{stem}.ipynb", as_version=4)
        assert release_id(nb) in history(stem), f"{stem}: run `rnn-course release` and commit released_versions.json"
