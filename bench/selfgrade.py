"""The in-notebook self-grade against `rnn-course check`: same verdicts, and how long each takes.

    python bench/selfgrade.py            # all fifteen
    python bench/selfgrade.py 01 06      # some

For each notebook, a kernel runs the released notebook filled in with the reference solutions,
except one task replaced by a realistic wrong implementation (tests/variants ROUNDTRIP_WRONG),
cell by cell as a learner would (experiments and figures included); then the self-grade cell
runs on that kernel. `check` grades the same file from disk. Printed: the notebook's run time,
the self-grade cell's time (goal: <= 2 s), check's time, and whether the per-task scores agree.
A benchmark prints figures; it asserts nothing.
"""
from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def submission(stem: str):
    import gradekit
    try:
        mod = importlib.import_module(f"variants.v{stem}")
        gid, mistake = mod.ROUNDTRIP_WRONG
        return gradekit.filled(stem, {gid: mod.WRONG[gid][mistake]}), gid
    except (ImportError, AttributeError, KeyError):
        return gradekit.filled(stem), None


def bench(stem: str, tmp: Path) -> dict:
    from rnn_course.grading import check
    nb, wrong = submission(stem)
    path = tmp / f"{stem}.ipynb"
    nbformat.write(nb, path)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp)}})
    with client.setup_kernel():
        t0 = time.perf_counter()
        for i, cell in enumerate(nb.cells[:-1]):
            client.execute_cell(cell, i)
        t_run = time.perf_counter() - t0
        t0 = time.perf_counter()
        client.execute_cell(nb.cells[-1], len(nb.cells) - 1)
        t_self = time.perf_counter() - t0
    import json
    live = json.loads((tmp / ".progress" / "selfgrade" / f"{stem}.json").read_text())
    t0 = time.perf_counter()
    official = check(str(path))
    t_check = time.perf_counter() - t0
    same = [(t["task"], t["score"]) for t in live["tasks"]] == [(t["task"], t["score"]) for t in official["tasks"]]
    got = sum(t["score"] or 0 for t in official["tasks"] if not t["manual"])
    most = sum(t["max_score"] for t in official["tasks"] if not t["manual"])
    return {"stem": stem, "run": t_run, "self": t_self, "check": t_check, "same": same,
            "score": f"{live['score']:g}/{got:g}/{most:g}", "wrong": wrong or "-"}


def main(argv) -> int:
    from rnn_course.paths import resolve_stem, solution_stems
    stems = [resolve_stem(a) for a in argv] or solution_stems()
    print(f"{'notebook':<26} {'wrong task':<22} {'run s':>6} {'self-grade s':>12} {'check s':>8} "
          f"{'self/check/max':>15}  same")
    rows = []
    for stem in stems:
        with tempfile.TemporaryDirectory(prefix="rnn-bench-") as tmp:
            r = bench(stem, Path(tmp))
        rows.append(r)
        print(f"{r['stem']:<26} {r['wrong']:<22} {r['run']:>6.1f} {r['self']:>12.2f} {r['check']:>8.1f} "
              f"{r['score']:>15}  {'yes' if r['same'] else 'NO'}", flush=True)
    if rows:
        print(f"self-grade cell: max {max(r['self'] for r in rows):.2f} s, "
              f"mean {sum(r['self'] for r in rows) / len(rows):.2f} s (goal <= 2 s); "
              f"check: mean {sum(r['check'] for r in rows) / len(rows):.1f} s; "
              f"verdicts equal in {sum(r['same'] for r in rows)} of {len(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
