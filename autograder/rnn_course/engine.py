"""Grade one learner notebook with nbgrader in a private tree (its own gradebook copy).

Each job gets a temporary nbgrader tree with a copy of the course gradebook, so no two
processes ever write the same SQLite file. Before grading, every test cell in the private
gradebook gets an integrity check at its top and a completion token at its bottom (a random
nonce the learner's code never sees); a task counts as passed only when its test cell raised
nothing and printed its token. Scores are computed from the executed notebook, so output on
stderr (warnings) costs nothing.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

import nbformat

from . import manifest
from .paths import COURSE_ID, WORK

ANSI = re.compile(r"\x1b\[[0-9;]*m")

STATUSES = ("ok", "tampered", "timeout", "memory", "kernel_died", "invalid_notebook", "missing", "error")


def _reason(outputs) -> str | None:
    for out in outputs:
        if out.get("output_type") == "error":
            ename = out.get("ename", "Error")
            evalue = ANSI.sub("", str(out.get("evalue", ""))).strip().splitlines()
            if ename == "NotImplementedError" and not evalue:
                return "not implemented yet (the solution cell still raises NotImplementedError)"
            text = f"{ename}: {evalue[0] if evalue else ''}".strip().rstrip(":")
            return text[:400]
    return None


def _stdout(outputs) -> str:
    return "".join(o.get("text", "") for o in outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def _inject(db_url: str, stem: str, nonce: str, fingerprints: dict) -> None:
    """Add the integrity prelude and the completion token to the private gradebook's test cells."""
    from nbformat.v4 import new_code_cell
    from nbgrader.api import Gradebook
    from nbgrader.utils import compute_checksum

    auto = {t.cell: t.points for t in manifest.tasks(stem) if not t.manual}
    prelude = ("__import__('rnn_course.guard', fromlist=['verify']).verify_and_restore(globals(), "
               + json.dumps(fingerprints) + ")\n")
    with Gradebook(db_url, COURSE_ID) as gb:
        nb = gb.find_notebook(stem, stem)
        for cell in nb.source_cells:
            if cell.name in auto:
                cell.source = prelude + cell.source + f"\nprint({nonce!r}, {cell.name!r})\n"
                probe = new_code_cell(cell.source)
                probe.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": cell.locked,
                                              "grade_id": cell.name, "points": auto[cell.name]}
                cell.checksum = compute_checksum(probe)
        gb.db.commit()


def grade_prepared(nb: nbformat.NotebookNode, stem: str, learner: str, fingerprints: dict,
                   cell_timeout: int = 60, keep: Path | None = None) -> dict:
    """Run nbgrader's autograde on an already repaired notebook; return per-task results.

    Result: {"status": "ok" | "timeout" | "kernel_died" | "error", "tasks": [...], "message": str}
    with tasks = [{task, cell, score, max_score, manual, passed, reason}].
    """
    from nbgrader.apps import NbGraderAPI

    from .nbconfig import tree_config

    tmp = Path(tempfile.mkdtemp(prefix="rnn-grade-"))
    try:
        from .release import work_lock
        with work_lock(shared=True):
            shutil.copy(WORK / "gradebook.db", tmp / "gradebook.db")
        (tmp / "source" / stem).mkdir(parents=True)
        sub_dir = tmp / "submitted" / learner / stem
        sub_dir.mkdir(parents=True)
        nbformat.write(nb, sub_dir / f"{stem}.ipynb")
        cfg = tree_config(tmp, cell_timeout)
        cfg.NbGrader.logfile = ""
        nonce = secrets.token_hex(16)
        _inject(cfg.CourseDirectory.db_url, stem, nonce, fingerprints)
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            api = NbGraderAPI(config=cfg)
            res = api.autograde(stem, learner, force=True, create=True)
        finally:
            os.chdir(cwd)
        graded = tmp / "autograded" / learner / stem / f"{stem}.ipynb"
        log = (res.get("log") or "") + (res.get("error") or "")
        if not res.get("success") or not graded.exists():
            status = "kernel_died" if re.search(r"DeadKernel|Kernel died|kernel died", log) else "error"
            msg = ("the kernel died while running the notebook (os._exit, a crash, or memory)"
                   if status == "kernel_died" else "nbgrader could not grade the notebook")
            detail = [ln for ln in log.splitlines() if "Error" in ln or "error" in ln][-1:]
            if detail:
                msg += f" ({detail[0].strip()[:200]})"
            return {"status": status, "tasks": zero_tasks(stem, msg), "message": msg, "log": log[-4000:]}
        out = nbformat.read(graded, as_version=4)
        if keep is not None:
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(graded, keep)
        return score_executed(out, stem, nonce)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def zero_tasks(stem: str, reason: str) -> list:
    return [{"task": t.task, "cell": t.cell, "score": None if t.manual else 0.0, "max_score": t.points,
             "manual": t.manual, "passed": False, "reason": None if t.manual else reason}
            for t in manifest.tasks(stem)]


def score_executed(nb: nbformat.NotebookNode, stem: str, nonce: str) -> dict:
    cells = {manifest.nbg(c).get("grade_id"): c for c in nb.cells if manifest.nbg(c).get("grade_id")}
    tasks, status, integrity = [], "ok", []
    for t in manifest.tasks(stem):
        if t.manual:
            tasks.append({"task": t.task, "cell": t.cell, "score": None, "max_score": t.points,
                          "manual": True, "passed": None, "reason": "not auto-graded"})
            continue
        cell = cells.get(t.cell)
        outputs = cell.get("outputs", []) if cell is not None else []
        reason = _reason(outputs) if cell is not None else "test cell missing after grading"
        token = f"{nonce} {t.cell}" in _stdout(outputs)
        passed = reason is None and token
        if reason is None and not token:
            reason = "the test cell did not run to completion"
        if reason and reason.startswith("CellTimeoutError"):
            status = "timeout"
            reason = "a cell ran longer than the per-cell time limit"
        if reason and reason.startswith("GradingIntegrityError"):
            integrity.append(reason)
        tasks.append({"task": t.task, "cell": t.cell, "score": t.points if passed else 0.0,
                      "max_score": t.points, "manual": False, "passed": passed, "reason": reason})
    notes = sorted(set(integrity))
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and any(o.get("ename") == "CellTimeoutError" for o in c.get("outputs", [])):
            status = "timeout"
            first = (c.source.strip().splitlines() or [""])[0][:60]
            notes.append(f"cell {i} ({first!r}) ran longer than the per-cell time limit")
    if integrity and status == "ok":
        status = "tampered"
    return {"status": status, "tasks": tasks, "message": "; ".join(notes)}
