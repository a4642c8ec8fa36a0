"""Workshop grading benchmark: plain serial nbgrader against `rnn-course grade --jobs N`.

    python bench/grade_workshop.py                       # 30 learners x every notebook
    python bench/grade_workshop.py --learners 6 --notebooks 01 02 03 --jobs 2

Generates a batch with a realistic mix (correct, one function wrong, blank, broken JSON,
a crash), grades it once with nbgrader's own autograde in one tree, one submission after the
other, and once with our parallel grader, then prints both times, the ratio, whether the scores
per task are identical, the peak memory per worker (proportional set size of the job and its
kernel) and the verdicts; last, for the first notebook, one grading job against the time its
graded cells take in a kernel started the usual way (kernel start included, and cells alone). Where the
bubblewrap sandbox works it grades the batch a second time with the sandbox off and prints the
sandbox's cost per graded notebook (wall time of the batch and mean time per job) and both
ratios. It prints figures; it asserts nothing (tests/test_adversarial.py checks that parallel
scores equal serial ones).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import gradekit  # noqa: E402
from rnn_course.batch import Limits  # noqa: E402
from rnn_course.grading import grade_folder  # noqa: E402
from rnn_course.paths import resolve_stem, solution_stems  # noqa: E402
from rnn_course.release import ensure_gradebook  # noqa: E402

KINDS = ["correct", "correct", "one_wrong", "blank", "correct", "broken_json", "crash"]


def make_batch(folder: Path, learners: int, stems: list[str]) -> None:
    for i in range(learners):
        kind = KINDS[i % len(KINDS)]
        for stem in stems:
            path = folder / f"learner{i:02d}_{kind}" / f"{stem}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "broken_json":
                path.write_text('{"cells": [')
                continue
            nb = {"correct": lambda: gradekit.filled(stem), "one_wrong": lambda: gradekit.wrong(stem)[0],
                  "blank": lambda: gradekit.released(stem), "crash": lambda: gradekit.filled(stem)}[kind]()
            if kind == "crash":
                nb.cells.insert(3, nbformat.v4.new_code_cell("import os\nos._exit(3)"))
            nbformat.write(nb, path)


def per_notebook(stem: str, repeat: int = 4) -> None:
    """One notebook on an idle machine: a grading job (one slot, its servers started) against
    running what it runs (the solution's cells that grading keeps, hidden tests included) in a
    kernel started the usual way, with and without that kernel's start."""
    import statistics

    from nbclient import NotebookClient

    from rnn_course import engine
    from rnn_course.paths import SOLUTIONS

    folder = Path(tempfile.mkdtemp(prefix="one-notebook-"))
    for i in range(repeat):
        gradekit.write(gradekit.filled(stem), folder, f"learner{i}", stem)
    jobs = [r["seconds"] for r in grade_folder(folder, Limits(), 1, [stem], progress=False)]
    job = statistics.median(jobs[1:])                  # the first one waited for its servers
    nb = engine.grading_notebook(nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4))
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    t0 = time.perf_counter()
    with client.setup_kernel():
        t1 = time.perf_counter()
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, i)
        t2 = time.perf_counter()
    start, cells = t1 - t0, t2 - t1
    print(f"per notebook ({stem}): a grading job {job:.2f} s (median of {len(jobs) - 1}, one slot); "
          f"kernel start {start:.2f} s + graded cells {cells:.2f} s = {start + cells:.2f} s: "
          f"the job is {job / (start + cells):.2f}x that, {job / cells:.2f}x the graded cells alone")
    shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--learners", type=int, default=30)
    ap.add_argument("--notebooks", nargs="*", default=None)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--skip-serial", action="store_true")
    ap.add_argument("--skip-unsandboxed", action="store_true", help="do not grade again without the sandbox")
    ap.add_argument("--skip-per-notebook", action="store_true",
                    help="do not time one notebook's job against its kernel start and graded cells")
    a = ap.parse_args()
    from rnn_course import sandbox
    stems = [resolve_stem(s) for s in a.notebooks] if a.notebooks else solution_stems()
    ensure_gradebook(stems)
    folder = Path(tempfile.mkdtemp(prefix="workshop-"))
    make_batch(folder, a.learners, stems)
    n = a.learners * len(stems)
    print(f"batch: {a.learners} learners x {len(stems)} notebooks = {n} submissions; {os.cpu_count()} cores")
    boxed, why = sandbox.status()
    print(f"sandbox: {'bubblewrap' if boxed else 'none (' + why + ')'}")
    t0 = time.perf_counter()
    results = grade_folder(folder, Limits(), a.jobs, stems, progress=True)
    ours = time.perf_counter() - t0
    plain = None
    if boxed and not a.skip_unsandboxed:
        from rnn_course.batch import close_servers
        close_servers()
        t0 = time.perf_counter()
        plain_results = grade_folder(folder, Limits(sandbox=False), a.jobs, stems, progress=True)
        plain = time.perf_counter() - t0
        job = lambda rs: sum(r.get("seconds", 0) for r in rs if r["status"] != "missing") / max(1, len(rs))  # noqa: E731
        print(f"unsandboxed  --jobs {a.jobs}: {plain:8.1f} s  ({plain / n:.2f} s per notebook)")
        print(f"sandbox overhead per graded notebook: {(ours - plain) / n:+.2f} s of batch wall time, "
              f"{job(results) - job(plain_results):+.2f} s per job (mean job {job(results):.2f} s sandboxed, "
              f"{job(plain_results):.2f} s unsandboxed)")
    statuses = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    peak = max(r.get("peak_mb", 0) for r in results)
    print(f"rnn-course grade --jobs {a.jobs}: {ours:8.1f} s  ({ours / n:.2f} s per notebook); "
          f"peak memory per worker {peak:.0f} MiB; statuses {statuses}")
    if not a.skip_serial:
        theirs, serial = gradekit.nbgrader_autograde(folder, stems)
        print(f"serial nbgrader autograde:   {serial:8.1f} s  ({serial / n:.2f} s per notebook)")
        mine = {(r["learner"], r["stem"]): gradekit.auto_scores(r) for r in results}
        same = sum(mine[k] == v for k, v in theirs.items())
        other = sorted({r["status"] for r in results if (r["learner"], r["stem"]) not in theirs})
        print(f"scores: {same} of the {len(theirs)} submissions nbgrader scored have identical scores per task"
              + (f" (nbgrader scored none of the other {n - len(theirs)}: {', '.join(other)})" if other else ""))
        print(f"speed-up: {serial / ours:.2f}x" + (f" (sandboxed); {serial / plain:.2f}x unsandboxed"
                                                   if plain else ""))
    shutil.rmtree(folder, ignore_errors=True)
    if not a.skip_per_notebook:
        per_notebook(stems[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
