"""Read a submission, detect tampering and repair its structure before nbgrader sees it.

Repairs, all reported: cells whose grade_id appears twice (later copies dropped), locked cells
(tests, instructions) deleted or edited (put back from the released notebook; nbgrader then
restores the hidden tests from the gradebook), solution cells deleted (the empty stub returns),
nbgrader metadata edited (reset), and nbgrader metadata on unknown cells (removed, so a copied
cell does not confuse the grader).
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field

import nbformat

from .manifest import nbg


class InvalidNotebook(Exception):
    """The file is not a Jupyter notebook (not JSON, or not the notebook format)."""


@dataclass
class Prepared:
    nb: nbformat.NotebookNode
    notes: list = field(default_factory=list)

    @property
    def tampered(self) -> bool:
        return bool(self.notes)


def read_text(path) -> str:
    """The submission's text, or InvalidNotebook saying why it cannot be read."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except UnicodeDecodeError:
        raise InvalidNotebook("the file is not UTF-8 text") from None
    except IsADirectoryError:
        raise InvalidNotebook("it is a folder, not a notebook file") from None
    except OSError as e:
        raise InvalidNotebook(f"it cannot be read ({type(e).__name__})") from None


def read_submission(path) -> nbformat.NotebookNode:
    return parse_submission(read_text(path))


def parse_submission(text: str) -> nbformat.NotebookNode:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidNotebook(f"the file is not valid JSON ({e.msg} at line {e.lineno})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise InvalidNotebook("the JSON has no list of cells: it is not a Jupyter notebook")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as e:  # noqa: BLE001 - nbformat raises many kinds
        raise InvalidNotebook(f"nbformat cannot read it ({type(e).__name__}: {str(e)[:120]})") from None
    for cell in nb.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise InvalidNotebook("a cell has no valid cell_type")
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
        if cell.cell_type == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
        cell.setdefault("metadata", {})
    return nb


HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)
KEYS = ("grade", "solution", "locked", "grade_id", "points", "task")


def _norm(src: str) -> str:
    src = HIDDEN.sub("", str(src))
    return "\n".join(line.rstrip() for line in src.strip().splitlines() if line.strip())


MARKER = re.compile(r"^\s*###\s*BEGIN HIDDEN TESTS\s*$", re.M)


def _fake_hidden(cell, ref) -> bool:
    """A hidden-tests block the released cell does not have: added by the learner."""
    return bool(MARKER.search(str(cell.source))) and not MARKER.search(str(ref.source))


def _key_meta(m: dict) -> dict:
    return {k: (float(m[k]) if k == "points" else m[k]) for k in KEYS if m.get(k) not in (None, False)}


def repair(sub: nbformat.NotebookNode, released: nbformat.NotebookNode) -> Prepared:
    """Return a gradable copy of ``sub`` with the structure of ``released`` and the list of notes."""
    # Earlier releases of the course are not tampering; cells the release adds (self-grade)
    # are not graded (rnn_course.versions, the learner-workflow side).
    from .versions import normalise
    sub = normalise(sub, released)
    notes = []
    rel_cells = {nbg(c)["grade_id"]: c for c in released.cells if nbg(c).get("grade_id")}
    order = [nbg(c)["grade_id"] for c in released.cells if nbg(c).get("grade_id")]
    kept, seen = [], set()
    for cell in sub.cells:
        m = nbg(cell)
        gid = m.get("grade_id")
        if gid is None:
            kept.append(cell)
            continue
        if gid not in rel_cells:
            cell.metadata.pop("nbgrader", None)          # a copied or invented graded cell
            notes.append(f"cell '{gid}' is not part of the course: graded as an ordinary cell")
            kept.append(cell)
            continue
        if gid in seen:
            notes.append(f"cell '{gid}' was duplicated: the copy was removed")
            continue
        seen.add(gid)
        ref = rel_cells[gid]
        if _key_meta(nbg(ref)) != _key_meta(m) or cell.cell_type != ref.cell_type:
            notes.append(f"the grading metadata of cell '{gid}' was edited: restored")
            cell = copy.deepcopy(cell)
            cell.metadata["nbgrader"] = copy.deepcopy(nbg(ref))
            if cell.cell_type != ref.cell_type:
                cell = copy.deepcopy(ref)
        if nbg(ref).get("locked") and (_norm(cell.source) != _norm(ref.source) or _fake_hidden(cell, ref)):
            notes.append(f"locked cell '{gid}' was edited: restored from the course")
            cell = copy.deepcopy(ref)
        kept.append(cell)
    # put back deleted graded cells, after the graded cell that precedes them in the course
    for i, gid in enumerate(order):
        if gid in seen:
            continue
        ref = copy.deepcopy(rel_cells[gid])
        m = nbg(ref)
        if m.get("locked") or m.get("grade"):
            notes.append(f"cell '{gid}' was deleted: restored from the course")
        else:
            notes.append(f"solution cell '{gid}' was deleted: the empty stub was restored")
        pos = 0
        for prev in reversed(order[:i]):
            idx = next((k for k, c in enumerate(kept) if nbg(c).get("grade_id") == prev), None)
            if idx is not None:
                pos = idx + 1
                break
        kept.insert(pos, ref)
        seen.add(gid)
    for cell in kept:                                     # a hidden-tests block the course did not put there
        ref = rel_cells.get(nbg(cell).get("grade_id"))
        if MARKER.search(str(cell.source)) and (ref is None or not MARKER.search(str(ref.source))):
            notes.append("a cell contains a '### BEGIN HIDDEN TESTS' block that the course did not put there")
            break
    out = copy.deepcopy(sub)
    out.cells = kept
    for cell in out.cells:                                # outputs are regenerated by grading
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    out.metadata.setdefault("kernelspec", released.metadata.get("kernelspec", {}))
    return Prepared(out, notes)
