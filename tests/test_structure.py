"""Every solution notebook has the spec's shape, graded names and signatures."""
from __future__ import annotations

import importlib
import inspect
import re

import nbformat
import pytest

import nbharness
from course_spec import SPEC
from helpers.questions import BY_STEM

STEMS = sorted(p.stem for p in nbharness.SOLUTIONS.glob("[0-9][0-9]_*.ipynb") if p.stem in BY_STEM)
PRACTICE = ["16_mock_interview"]      # released, never graded
SECTIONS = ["Learn", "Implement", "Experiment", "Say it in an interview", "Checklist"]


def test_every_solution_is_a_course_question_or_the_mock_interview():
    assert len(STEMS) == 15, "fifteen graded solution notebooks"
    every = sorted(p.stem for p in nbharness.SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    stray = [s for s in every if s not in BY_STEM and s not in PRACTICE]
    assert not stray, f"solutions without a question in helpers.questions: {stray}"


def test_mock_interview_has_no_graded_cells():
    nb = nbformat.read(nbharness.solution_path("16_mock_interview"), as_version=4)
    assert not any(nbharness.nbg(c) for c in nb.cells), "notebook 16 has no hidden tests of its own"
    assert not any(re.search(r"^\s*[%!]", c.source, re.M) for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("stem", STEMS)
def test_shape_of_the_notebook(stem):
    nb = nbformat.read(nbharness.solution_path(stem), as_version=4)
    nbformat.validate(nb)
    q = BY_STEM[stem]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert re.search(rf"show_card\(\s*{q.number}\s*\)", code[0].source), "the first code cell shows the card"
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    positions = []
    for i, name in enumerate(SECTIONS, start=2):
        m = re.search(rf"^##\s*{i}\.\s*{re.escape(name)}", md, re.M)
        assert m, f"section '## {i}. {name}' missing"
        positions.append(m.start())
    assert positions == sorted(positions), "sections out of order"
    for c in code:
        assert not re.search(r"^\s*[%!]", c.source, re.M), "no IPython magics or shell escapes"
    assert any(nbharness.is_experiment(c) for c in code), "experiment cells must be tagged 'experiment'"
    # 'demo' (a figure or demonstration no test needs; grading skips it) belongs to the Learn section
    heads = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and re.match(r"##\s*[23]\.", c.source)]
    for i, c in enumerate(nb.cells):
        if nbharness.is_demo(c):
            assert heads[0] < i < heads[1] and not nbharness.nbg(c), f"cell {i}: 'demo' cells are Learn-section cells"


@pytest.mark.parametrize("stem", STEMS)
def test_graded_cells(stem):
    nb = nbformat.read(nbharness.solution_path(stem), as_version=4)
    meta = {nbharness.nbg(c).get("grade_id"): (c, nbharness.nbg(c)) for c in nb.cells if nbharness.nbg(c)}
    for name in SPEC[stem]:
        assert name in meta, f"no solution cell with grade_id {name!r}"
        cell, m = meta[name]
        assert m["solution"] and not m["grade"] and cell.cell_type == "code"
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        test = meta.get(f"test_{name}")
        if test is None and stem in ("09_seq2seq",):
            continue                     # Encoder/Decoder may share one test cell
        assert test is not None, f"no test cell test_{name}"
        tc, tm = test
        assert tm["grade"] and tm["locked"] and not tm["solution"] and tm["points"] > 0
        assert "### BEGIN HIDDEN TESTS" in tc.source and "### END HIDDEN TESTS" in tc.source
        visible = tc.source.split("### BEGIN HIDDEN TESTS")[0]
        assert visible.strip(), f"test_{name} needs visible checks before the hidden ones"
    answer = meta.get("interview_answer")
    assert answer, "interview_answer cell missing"
    cell, m = answer
    assert cell.cell_type == "markdown" and m["grade"] and m["solution"] and m["points"] > 0
    assert "### BEGIN SOLUTION" in cell.source and "rubric" in cell.source.lower()


@pytest.mark.parametrize("stem", STEMS)
def test_signatures_and_variants_exist(stem):
    ns, _ = nbharness.run(stem)
    for name, params in SPEC[stem].items():
        assert name in ns, f"{name} not defined"
        if params is not None:
            got = [p for p in inspect.signature(ns[name]).parameters][: len(params)]
            assert got == params, f"{name}{tuple(got)} but the spec says {name}{tuple(params)}"
    mod = importlib.import_module(f"variants.v{stem}")
    assert mod.STEM == stem
    for name in SPEC[stem]:
        assert mod.WRONG.get(name), f"no wrong implementations of {name} in tests/variants/v{stem}.py"
    gid, mistake = mod.ROUNDTRIP_WRONG
    assert mistake in mod.WRONG[gid]


FOLLOW_UP = re.compile(r"<details>\s*<summary>\s*<b>Follow-up (\d+)\.</b>(.+?)</summary>(.+?)</details>", re.S)


@pytest.mark.parametrize("stem", STEMS)
def test_notation_box_and_time_estimate(stem):
    """Version 2: every notebook opens with a time estimate and a notation box (before Learn)."""
    nb = nbformat.read(nbharness.solution_path(stem), as_version=4)
    before_learn = []
    for c in nb.cells:
        if c.cell_type == "markdown" and re.search(r"^##\s*2\.\s*Learn", c.source, re.M):
            break
        if c.cell_type == "markdown":
            before_learn.append(c.source)
    top = "\n".join(before_learn)
    assert re.search(r"\*\*Time:\*\*\s*about \d+ minutes", top), "a '**Time:** about N minutes' line before Learn"
    assert "**Notation" in top, "a '**Notation**' box before Learn"


@pytest.mark.parametrize("stem", STEMS)
def test_follow_up_questions(stem):
    """Version 2: section 5 has 'What the interviewer asks next': 2-4 collapsed follow-ups, each
    with a graded check (solution cell followup_N, test cell test_followup_N with hidden tests)."""
    nb = nbformat.read(nbharness.solution_path(stem), as_version=4)
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    joined = "\n".join(md)
    sec5 = joined.index("## 5. Say it in an interview")
    sec6 = joined.index("## 6. Checklist")
    assert re.search(r"^###\s*What the interviewer asks next", joined[sec5:sec6], re.M)
    found = FOLLOW_UP.findall(joined[sec5:sec6])
    assert 2 <= len(found) <= 4, f"2-4 follow-ups, found {len(found)}"
    assert [int(n) for n, _, _ in found] == list(range(1, len(found) + 1)), "numbered 1, 2, ..."
    for n, question, answer in found:
        assert question.strip() and len(answer.strip()) > 40, f"follow-up {n}: a question and a model answer"
    meta = {nbharness.nbg(c).get("grade_id"): (c, nbharness.nbg(c)) for c in nb.cells if nbharness.nbg(c)}
    for n, _, _ in found:
        sol, test = meta.get(f"followup_{n}"), meta.get(f"test_followup_{n}")
        assert sol and sol[1]["solution"] and "### BEGIN SOLUTION" in sol[0].source, f"no solution cell followup_{n}"
        assert test and test[1]["grade"] and test[1]["points"] > 0, f"no test cell test_followup_{n}"
        assert "### BEGIN HIDDEN TESTS" in test[0].source, f"test_followup_{n} keeps its answer hidden"


def _names(src: str) -> tuple[set, set]:
    """(names bound, names read) at any depth of a cell's code."""
    import ast
    bound, read = set(), set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, (ast.Store, ast.Del)) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return bound, read


@pytest.mark.parametrize("stem", STEMS)
def test_no_graded_cell_depends_on_a_cell_grading_skips(stem):
    """Grading runs a notebook without its experiment cells and the release's own self-grade
    cells (rnn_course.engine.skipped_in_grading), and the self-grade cell never runs experiments:
    no solution or test cell may read a name that only such a cell defines, in the solution
    notebook (the reference code) or in the released one (what learners have)."""
    from rnn_course.engine import skipped_in_grading
    released = nbharness.ROOT / "course" / f"{stem}.ipynb"
    for path in (nbharness.solution_path(stem), released):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert any(skipped_in_grading(c) for c in code), f"{path.name}: nothing for grading to skip?"
        skipped, elsewhere = set(), set()
        for c in code:
            bound, _ = _names(c.source)
            (skipped if skipped_in_grading(c) else elsewhere).update(bound)
        only_skipped = skipped - elsewhere
        for c in code:
            if skipped_in_grading(c) or not nbharness.nbg(c):
                continue
            used = _names(c.source)[1] & only_skipped
            assert not used, (f"{path.parent.name}/{path.name}: {nbharness.nbg(c).get('grade_id')} reads "
                              f"{sorted(used)}, defined only in cells grading skips")


def _may_return_a_number(func) -> bool:
    """Whether a function's own body (not its nested functions) returns something that may be a
    number: anything but None, a string, or a tuple, list, dict or set display."""
    import ast
    shown_as_text = (ast.Tuple, ast.List, ast.Dict, ast.Set, ast.JoinedStr)

    def walk(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            yield child
            yield from walk(child)
    return any(isinstance(n, ast.Return) and n.value is not None and not isinstance(n.value, shown_as_text)
               and not (isinstance(n.value, ast.Constant) and (n.value.value is None or isinstance(n.value.value, str)))
               for n in walk(func))


@pytest.mark.parametrize("stem", STEMS)
def test_no_test_cell_ends_with_a_value(stem):
    """nbgrader's own autograde takes a number a test cell shows as that cell's partial credit
    (a check that returned a max difference of 1e-16 scored 1e-16 points). So no test cell may end
    with an expression unless it is a call of a function, of helpers.checks or of the notebook,
    that cannot return a number."""
    import ast

    import helpers.checks

    nb = nbformat.read(nbharness.SOLUTIONS / f"{stem}.ipynb", as_version=4)
    defs = {node.name: node for node in ast.walk(ast.parse(inspect.getsource(helpers.checks)))
            if isinstance(node, ast.FunctionDef)}
    cells = [c for c in nb.cells if c.cell_type == "code"]
    for c in cells:
        try:
            tree = ast.parse(c.source)
        except SyntaxError:
            continue
        defs.update({n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)})
        for node in ast.walk(tree):                     # from helpers.checks import check_equal as _check_equal
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.asname and alias.name in defs:
                        defs[alias.asname] = defs[alias.name]
    for c in cells:
        meta = c.metadata.get("nbgrader", {})
        if not (meta.get("grade") and not meta.get("solution")):
            continue
        last = ast.parse(c.source).body[-1]
        if not isinstance(last, ast.Expr):
            continue
        call = last.value
        name = getattr(getattr(call, "func", None), "id", getattr(getattr(call, "func", None), "attr", None))
        assert isinstance(call, ast.Call) and name in defs and not _may_return_a_number(defs[name]), (
            f"{meta['grade_id']} ends with `{ast.unparse(last)[:60]}`, which shows a value")
