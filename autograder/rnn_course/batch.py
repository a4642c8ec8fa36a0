"""Run grading jobs in parallel worker processes under wall-clock and memory limits.

Every job runs in its own process with its own private nbgrader tree and gradebook copy
(rnn_course.engine); the parent only starts processes, watches them and collects their JSON
results, so no SQLite file is ever written by two processes. A job that exceeds a limit is
killed with its whole process group (the kernel included) and gets a verdict; the batch goes on.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import psutil

from . import engine


@dataclass
class Limits:
    cell_timeout: int = 60          # seconds per cell (nbgrader's Execute.timeout)
    wall_timeout: float = 300.0     # seconds per notebook, whole grading job
    memory_mb: float = 3072.0       # resident memory of the job (worker + kernel)


def _tree_rss(proc: psutil.Process) -> float:
    total = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0.0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_job(job: dict, limits: Limits, retries: int = 1) -> dict:
    """Grade one job in a subprocess; always returns a result dict with a status.

    An infrastructure failure (status "error": the kernel did not start, nbgrader crashed) is
    retried, so a busy machine never costs a learner points.
    """
    for _ in range(retries):
        result = _run_once(job, limits)
        if result["status"] != "error":
            return result
    return _run_once(job, limits)


def _run_once(job: dict, limits: Limits) -> dict:
    with tempfile.TemporaryDirectory(prefix="rnn-job-") as tmp:
        jpath, rpath = Path(tmp) / "job.json", Path(tmp) / "result.json"
        jpath.write_text(json.dumps(dict(job, cell_timeout=limits.cell_timeout)))
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore", OMP_NUM_THREADS="1",
                   MKL_NUM_THREADS="1")
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "rnn_course.worker", str(jpath), str(rpath)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        ps = psutil.Process(proc.pid)
        peak, verdict = 0.0, None
        while proc.poll() is None:
            rss = _tree_rss(ps)
            peak = max(peak, rss)
            if rss > limits.memory_mb:
                verdict = ("memory", f"used more than {limits.memory_mb:.0f} MiB of memory")
            elif time.monotonic() - t0 > limits.wall_timeout:
                verdict = ("timeout", f"grading took longer than {limits.wall_timeout:.0f} s")
            if verdict:
                _kill(proc.pid)
                break
            time.sleep(0.05)
        out = proc.communicate()[0].decode("utf-8", "replace") if proc.stdout else ""
        _kill(proc.pid)                                          # no stray kernels
        elapsed = time.monotonic() - t0
        if verdict:
            result = {"status": verdict[0], "message": verdict[1], "notes": [],
                      "tasks": engine.zero_tasks(job["stem"], verdict[1])}
        elif rpath.exists():
            result = json.loads(rpath.read_text())
        else:
            msg = "the grading process crashed: " + (out.strip().splitlines() or ["no output"])[-1][:300]
            result = {"status": "error", "message": msg, "notes": [],
                      "tasks": engine.zero_tasks(job["stem"], msg)}
        result.update(learner=job["learner"], stem=job["stem"], seconds=round(elapsed, 2),
                      peak_mb=round(peak, 1))
        return result


def run_jobs(jobs: list, limits: Limits, n_jobs: int | None = None, progress: bool = True) -> list:
    """Grade all jobs with ``n_jobs`` workers; results in the order of ``jobs``."""
    from tqdm.auto import tqdm

    n_jobs = max(1, n_jobs or os.cpu_count() or 1)
    results = [None] * len(jobs)
    with ThreadPoolExecutor(max_workers=n_jobs) as pool, \
            tqdm(total=len(jobs), desc="grading", unit="nb", disable=not progress) as bar:
        futures = {pool.submit(run_job, job, limits): i for i, job in enumerate(jobs)}
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            bar.update(1)
    return results
