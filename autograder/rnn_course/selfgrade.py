"""Self-grading inside the notebook, on the live kernel; the interview answer's self-assessment.

``self_grade("06_lstm_gates")`` (the last cell of every released notebook) runs the notebook's
test cells, visible and hidden parts, read from solutions/ on the learner's machine, against
the functions as they are defined in the running kernel: no save, no re-execution of the
notebook, experiment cells not re-run. The tests run in a copy of the kernel's namespace, so
the names they define never clobber the learner's. It prints the same per-task table as
``rnn-course check`` and records the result for ``rnn-course progress``.

``reveal_answer(stem)`` shows the model answer and its rubric once the learner has written an
answer; ``self_assess([1, 0])`` records the learner's own points per rubric line (kept apart
from the auto-graded points).
"""
from __future__ import annotations

import contextlib
import io
import json
import re
import time
from pathlib import Path

import nbformat

from . import manifest, paths

ANSWER_STUB = "YOUR ANSWER HERE"


def test_cells(stem: str) -> list[tuple]:
    """[(task, source)] for the auto-graded test cells of solutions/<stem>.ipynb, in order."""
    nb = nbformat.read(paths.SOLUTIONS / f"{stem}.ipynb", as_version=4)
    src = {manifest.nbg(c).get("grade_id"): c.source for c in nb.cells if manifest.nbg(c).get("grade_id")}
    return [(t, src[t.cell]) for t in manifest.tasks(stem) if not t.manual]


def _solution_names(stem: str) -> set:
    """Names the notebook's solution cells define (functions, quick-check answers)."""
    nb = nbformat.read(paths.SOLUTIONS / f"{stem}.ipynb", as_version=4)
    names = set()
    for c in nb.cells:
        m = manifest.nbg(c)
        if c.cell_type == "code" and m.get("solution") and not m.get("grade"):
            names |= set(re.findall(r"^(?:def\s+|class\s+)?([A-Za-z_]\w*)\s*(?:\(|=|:)", c.source, re.M))
    return names


def explain(result: dict, stem: str) -> dict:
    """Task-specific reasons instead of a bare NameError (an answer not written or not run)."""
    names = _solution_names(stem)
    for t in result.get("tasks", []):
        m = re.match(r"NameError: name '(\w+)' is not defined", t.get("reason") or "")
        if not m or m.group(1) not in names:
            continue
        name = m.group(1)
        if t["task"].startswith(("quick_check", "followup")) or not re.search(rf"def\s+{name}\b", _defs(stem)):
            t["reason"] = (f"not answered yet: `{name}` is not defined (write your answer in the cell "
                           "above the check and run it)")
        else:
            t["reason"] = f"not implemented yet: `{name}` is not defined (run the cell that defines it)"
    return result


def _defs(stem: str) -> str:
    nb = nbformat.read(paths.SOLUTIONS / f"{stem}.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def _reason(exc: BaseException) -> str:
    ename = type(exc).__name__
    lines = str(exc).strip().splitlines()
    if ename == "NotImplementedError" and not lines:
        return "not implemented yet (the solution cell still raises NotImplementedError)"
    return f"{ename}: {lines[0] if lines else ''}".strip().rstrip(":")[:400]


def run_tests(stem: str, namespace: dict) -> dict:
    """Run the test cells of ``stem`` in a copy of ``namespace``; a result shaped like check's."""
    from .guard import GradingIntegrityError, verify_and_restore
    ns = dict(namespace)                     # the tests' own names stay out of the learner's
    tasks = []
    status, notes = "ok", []
    try:
        import matplotlib.pyplot as plt
        before = set(plt.get_fignums())
    except Exception:  # noqa: BLE001 - plotting is optional here
        plt, before = None, set()
    for t, source in test_cells(stem):
        reason = None
        try:
            verify_and_restore(ns, {})       # the genuine checking functions, as in check
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(source, f"<self-grade {t.cell}>", "exec"), ns)
        except GradingIntegrityError as e:
            reason, status = _reason(e), "tampered"
            notes.append(str(e))
        except Exception as e:  # noqa: BLE001 - a failing test is a result
            reason = _reason(e)
        except KeyboardInterrupt:
            raise
        tasks.append({"task": t.task, "cell": t.cell, "score": 0.0 if reason else t.points,
                      "max_score": t.points, "manual": False, "passed": reason is None, "reason": reason})
    if plt is not None:
        for n in set(plt.get_fignums()) - before:
            plt.close(n)
    for t in manifest.tasks(stem):
        if t.manual:
            tasks.insert([m.cell for m in manifest.tasks(stem)].index(t.cell),
                          {"task": t.task, "cell": t.cell, "score": None, "max_score": t.points,
                           "manual": True, "passed": None, "reason": "not auto-graded"})
    result = {"status": status, "tasks": tasks, "message": "; ".join(sorted(set(notes))),
              "notes": notes, "stem": stem, "learner": "me"}
    return explain(result, stem)


def _folder(stem: str) -> Path:
    """Where the learner's notebook lives: the kernel's folder if it holds it, else workspace/."""
    here = Path.cwd()
    if (here / f"{stem}.ipynb").exists():
        return here
    from .workspace import folder
    return folder()[0]


def record(kind: str, stem: str, data: dict, where: Path | None = None) -> Path:
    path = Path(where or _folder(stem)) / ".progress" / kind / f"{stem}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(data, time=time.time())))
    return path


def read_record(kind: str, stem: str, where: Path) -> dict | None:
    try:
        return json.loads((Path(where) / ".progress" / kind / f"{stem}.json").read_text())
    except (OSError, ValueError):
        return None


def self_grade(stem: str, namespace: dict | None = None, save: bool = True, show: bool = True) -> dict:
    """Grade the kernel's current definitions with this notebook's visible and hidden tests."""
    from .report import auto_totals, table
    import os
    if namespace is None and os.environ.get("NBGRADER_EXECUTION"):
        print("self-grade skipped: nbgrader is running this notebook (Validate or grading)")
        return {}
    if namespace is None:
        ip = get_ipython()  # noqa: F821 - this runs in a notebook kernel
        namespace = ip.user_ns
    t0 = time.perf_counter()
    result = run_tests(stem, namespace)
    result["seconds"] = round(time.perf_counter() - t0, 3)
    if save:
        got, most = auto_totals(result)
        record("selfgrade", stem, {"score": got, "max_score": most, "status": result["status"],
                                   "tasks": result["tasks"]})
    if show:
        print(table(result))
        print(f"self-graded on the live kernel in {result['seconds']:.2f} s; `rnn-course check {stem[:2]}` "
              "re-runs the saved file from scratch (the official grade).")
    return result


# --- the interview answer: model answer, rubric, self-assessment ---------------------------

_last_revealed: list = []


def model_answer(stem: str) -> str:
    nb = nbformat.read(paths.SOLUTIONS / f"{stem}.ipynb", as_version=4)
    for c in nb.cells:
        if manifest.nbg(c).get("grade_id") == "interview_answer":
            return re.sub(r"^### (BEGIN|END) SOLUTION\s*$", "", c.source, flags=re.M).strip()
    raise KeyError(f"{stem} has no interview answer")


def rubric(stem: str) -> list[tuple[float, str]]:
    """[(points, text)] per rubric line ('- 1 point: ...')."""
    text = model_answer(stem).split("**Rubric", 1)[-1]
    out = []
    for m in re.finditer(r"^- (\d+(?:\.\d+)?) points?:?\s*(.*?)(?=^- \d|\Z)", text, re.M | re.S):
        out.append((float(m.group(1)), " ".join(m.group(2).split())))
    return out


def learner_answer(stem: str, where: Path | None = None) -> str | None:
    """The learner's saved interview answer, or None if not written yet."""
    path = Path(where or _folder(stem)) / f"{stem}.ipynb"
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001
        return None
    for c in nb.cells:
        if manifest.nbg(c).get("grade_id") == "interview_answer":
            text = c.source.replace(ANSWER_STUB, "").strip()
            return text or None
    return None


def reveal_answer(stem: str, force: bool = False):
    """Show the model answer and rubric once an answer is written (and saved)."""
    from IPython.display import Markdown, display
    _last_revealed[:] = [stem]
    if not force and learner_answer(stem) is None:
        print("Write your interview answer in the cell above first and save the notebook (Ctrl-S); then run "
              f"this cell again to compare it with the model answer. (To see it now: reveal_answer({stem!r}, "
              "force=True).)")
        return None
    lines = rubric(stem)
    display(Markdown(model_answer(stem)))
    print(f"Self-assess: self_assess([{', '.join('0' for _ in lines)}]) with your points for each of the "
          f"{len(lines)} rubric line(s) (max {', '.join(f'{p:g}' for p, _ in lines)}).")
    return lines


def self_assess(points, stem: str | None = None) -> dict:
    """Record the learner's points per rubric line for the interview answer."""
    stem = stem or (_last_revealed[0] if _last_revealed else None)
    if stem is None:
        raise ValueError("run reveal_answer(...) first, or pass stem=")
    lines = rubric(stem)
    points = [float(p) for p in points]
    if len(points) != len(lines):
        raise ValueError(f"the rubric has {len(lines)} line(s); give one number per line, e.g. "
                         f"self_assess([{', '.join(f'{p:g}' for p, _ in lines)}])")
    for (most, text), p in zip(lines, points):
        if not 0 <= p <= most:
            raise ValueError(f"{p:g} points for a line worth {most:g}: {text[:60]}")
    data = {"points": points, "score": sum(points), "max_score": sum(p for p, _ in lines)}
    record("self_assessed", stem, data)
    print(f"recorded: {data['score']:g} / {data['max_score']:g} self-assessed points for the interview answer")
    return data
