"""Execute solution notebooks and print wall time and the kernel's peak memory per notebook.

    python bench/run_notebooks.py            # all fifteen, as a learner runs them
    python bench/run_notebooks.py 03 11      # some
    python bench/run_notebooks.py --agg      # with MPLBACKEND=Agg (figures never rendered)

By default each notebook runs as in JupyterLab: a fresh kernel (its start is in the wall time)
with ipykernel's inline backend, so every figure is rendered to PNG as a learner sees it.

A benchmark prints figures; it asserts nothing. Budget from the course spec: each notebook
under 15 s and 1.5 GiB on 2 cores, the whole course under 2 minutes.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"


def run(path: Path) -> tuple[float, float, str]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    peak = [0.0]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            km = client.km
            try:
                if km is not None and km.has_kernel:
                    pid = km.provisioner.process.pid
                    procs = [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)
                    peak[0] = max(peak[0], sum(p.memory_info().rss for p in procs) / 2**20)
            except (psutil.Error, AttributeError):
                pass
            time.sleep(0.05)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    t0 = time.perf_counter()
    status = "ok"
    try:
        client.execute()
    except Exception as e:  # noqa: BLE001 - report and go on
        status = f"FAILED: {type(e).__name__}"
    wall = time.perf_counter() - t0
    stop.set()
    t.join()
    return wall, peak[0], status


def main(argv: list[str]) -> int:
    if "--agg" in argv:
        argv = [a for a in argv if a != "--agg"]
        os.environ["MPLBACKEND"] = "Agg"
        mode = "MPLBACKEND=Agg, figures not rendered"
    else:
        os.environ.pop("MPLBACKEND", None)   # the kernel picks the inline backend, as in the Lab
        mode = "inline backend, figures rendered, kernel start included"
    print(f"mode: {mode}")
    paths = sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    if argv:
        paths = [p for p in paths if any(p.stem.startswith(a.zfill(2)) or p.stem == a for a in argv)]
    print(f"{'notebook':<28} {'wall s':>8} {'peak MiB':>9}  status   (budget: 15 s, 1536 MiB)")
    total = 0.0
    for p in paths:
        wall, peak, status = run(p)
        total += wall
        flag = "" if wall < 15 and peak < 1536 else "  <-- over budget"
        print(f"{p.stem:<28} {wall:8.2f} {peak:9.0f}  {status}{flag}", flush=True)
    print(f"{'total':<28} {total:8.2f}            (budget: 120 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
