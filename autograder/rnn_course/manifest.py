"""What each notebook grades: auto tasks (test cells with points) and manual tasks."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import nbformat

from .paths import SOLUTIONS


@dataclass(frozen=True)
class Task:
    task: str          # the graded function (or quick check) name
    cell: str          # grade_id of the cell that carries the points
    points: float
    manual: bool


def nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def task_name(grade_id: str) -> str:
    return grade_id[5:] if grade_id.startswith("test_") else grade_id


@lru_cache(maxsize=None)
def tasks(stem: str) -> tuple:
    """The graded tasks of solutions/<stem>.ipynb in notebook order."""
    nb = nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
    out = []
    for cell in nb.cells:
        m = nbg(cell)
        if m.get("grade"):
            manual = bool(m.get("solution")) or cell.cell_type != "code"
            out.append(Task(task_name(m["grade_id"]), m["grade_id"], float(m.get("points", 0)), manual))
    return tuple(out)


def auto_max(stem: str) -> float:
    return sum(t.points for t in tasks(stem) if not t.manual)
