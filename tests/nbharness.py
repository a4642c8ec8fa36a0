"""Run a solution notebook's code cells in-process, with chosen solution cells replaced.

Used by the variant tests (wrong implementations must fail their task's tests, other correct
implementations must pass) and the experiment tests (each experiment shows its phenomenon).
"""
from __future__ import annotations

import contextlib
import functools
import io
import os
import traceback
import types
from pathlib import Path

import nbformat

from rnn_course.engine import is_demo, is_experiment  # noqa: F401 - also used by other tests

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"

os.environ.setdefault("MPLBACKEND", "Agg")


def solution_path(stem: str) -> Path:
    return SOLUTIONS / f"{stem}.ipynb"


def nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _no_lazy_device_stacks() -> None:
    """torch.manual_seed also queues a seed for CUDA, XPU and MTIA, which (never initialised on
    this CPU-only machine) keep the caller's formatted stack for the message of a failed
    initialisation: three walks of pytest's deep stack per seed, about a fifth of the variant
    tests' time. Here they keep an empty stack; the seeds themselves are unchanged."""
    import torch
    for name in ("cuda", "xpu", "mtia"):
        mod = getattr(torch, name, None)
        if mod is not None and hasattr(mod, "traceback") and hasattr(mod, "_lazy_call"):
            mod.traceback = types.SimpleNamespace(format_stack=lambda *a, **k: [])


_no_lazy_device_stacks()


@functools.lru_cache(maxsize=None)
def _notebook(stem: str, mtime: float):
    return nbformat.read(solution_path(stem), as_version=4)


def load(stem: str):
    """The solution notebook, read once per version of the file (callers must not change it)."""
    return _notebook(stem, solution_path(stem).stat().st_mtime)


@functools.lru_cache(maxsize=4096)
def _compiled(src: str, name: str):
    return compile(src, name, "exec")


def run(stem: str, replace: dict | None = None, experiments: bool = False, stop_after: str | None = None):
    """Execute the notebook's code cells in one namespace.

    replace: {grade_id: source} swaps the source of those solution cells.
    experiments: also run cells tagged 'experiment' and 'demo' (figures and demonstrations no
    test needs; skipped by default for speed, as grading does).
    stop_after: the grade_id of a test cell; nothing after it runs (its verdict cannot depend on
    later cells).
    Returns (namespace, results) where results maps each test cell's grade_id to None (passed)
    or the error text (failed).
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    replace = dict(replace or {})
    nb = load(stem)
    ns: dict = {"__name__": "__main__"}
    results: dict = {}
    unknown = set(replace) - {nbg(c).get("grade_id") for c in nb.cells}
    if unknown:
        raise KeyError(f"{stem}: no cells with grade_id {sorted(unknown)}")
    for cell in nb.cells:
        if cell.cell_type != "code" or ((is_experiment(cell) or is_demo(cell)) and not experiments):
            continue
        meta = nbg(cell)
        gid = meta.get("grade_id")
        src = replace.get(gid, cell.source)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(_compiled(src, f"<{stem}:{gid or 'cell'}>"), ns)
        except Exception:  # noqa: BLE001 - a failing cell is a result, not a crash
            err = traceback.format_exc(limit=2)
            if meta.get("grade"):
                results[gid] = err
            elif not meta.get("solution"):
                raise RuntimeError(f"{stem}: non-graded cell {gid or cell.source[:60]!r} failed:\n{err}")
        else:
            if meta.get("grade") and cell.cell_type == "code":
                results[gid] = None
        plt.close("all")
        if stop_after is not None and gid == stop_after:
            break
    return ns, results
