"""Grading on a dask.distributed cluster: ``rnn-course grade SUBMISSIONS --cluster tcp://HOST:8786``.

Each worker runs exactly the job local grading runs (rnn_course.batch.run_job: a fork-server
child, the kernel in the bubblewrap sandbox when the worker has bubblewrap, the same limits) on
its own checkout of the course; the results come back to this process, which writes the grades
as a local run does. Workers need no shared filesystem: each job carries the submission's text.

Before the first job, every worker proves it grades the same course: a digest of the solutions,
the helpers and the grader (``course_digest``) must equal this checkout's (a worker started before
a `git pull` has the old code loaded: restart it). Each job checks it again, so a worker that joins
later cannot grade with another version.

A worker that dies mid-job (killed, out of memory, its machine lost) loses nothing: the scheduler
runs the job again on another worker (dask's ``distributed.scheduler.allowed-failures``, 3 by
default); a job that every worker it lands on dies of is marked ``error`` with the reason, and the
rest of the batch goes on. Losing the scheduler itself stops the run before anything is written.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from . import engine
from .batch import Limits, run_job
from .paths import AUTOGRADER, ROOT, SOLUTIONS

CONNECT_TIMEOUT = 20          # seconds to reach the scheduler
WORKER_TIMEOUT = 60           # seconds to wait for the first worker


class ClusterError(RuntimeError):
    """The cluster cannot grade (unreachable, no workers, another course version); nothing was written."""


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterError("--cluster needs dask.distributed: pip install -e '.[cluster]' "
                           "(on this machine and on every worker)") from None
    return distributed


def _course_files() -> list[Path]:
    files = sorted(SOLUTIONS.glob("*.ipynb"))
    files += sorted(p for p in (ROOT / "src" / "helpers").rglob("*") if p.suffix in (".py", ".json"))
    files += sorted((AUTOGRADER / "rnn_course").glob("*.py")) + [AUTOGRADER / "nbgrader_config.py"]
    return [p for p in files if "__pycache__" not in p.parts]


@lru_cache(maxsize=None)
def course_digest() -> str:
    """What this process grades with: solutions, helpers and grader sources (taken once per process,
    so a worker whose checkout changed after it started no longer matches)."""
    h = hashlib.sha256()
    for p in _course_files():
        h.update(str(p.relative_to(ROOT)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def worker_identity() -> dict:
    """Run on each worker before the batch: its course digest and whether it can sandbox."""
    from . import sandbox
    ok, why = sandbox.status()
    return {"course": course_digest(), "sandbox": ok, "why": why, "root": str(ROOT)}


def grade_remote(payload: dict, limits: Limits, digest: str) -> dict:
    """On a worker: grade one submission (``payload["text"]``) as local grading would."""
    stem, learner = payload["stem"], payload["learner"]
    if course_digest() != digest:
        msg = (f"the cluster worker on {os.uname().nodename} grades another version of the course "
               f"({course_digest()}, this batch needs {digest}): update its checkout and restart it")
        return {"learner": learner, "stem": stem, "status": "error", "message": msg, "notes": [],
                "tasks": engine.zero_tasks(stem, msg), "seconds": 0.0, "peak_mb": 0.0}
    from .grading import make_job
    from .release import ensure_gradebook
    ensure_gradebook([stem])
    with tempfile.TemporaryDirectory(prefix="rnn-cluster-") as tmp:
        path = Path(tmp) / "learner" / f"{stem}.ipynb"
        path.parent.mkdir()
        path.write_text(payload["text"], encoding="utf-8")
        return run_job(make_job(path, stem, learner), limits)


def _payload(job: dict) -> tuple[dict | None, dict | None]:
    """(payload, None) to send, or (None, result) when the file cannot be read here."""
    from .prepare import InvalidNotebook, read_text
    from .worker import invalid_result
    try:
        text = read_text(job["submission"])
    except InvalidNotebook as e:
        result = invalid_result(job["stem"], e)
        result.update(learner=job["learner"], stem=job["stem"], seconds=0.0, peak_mb=0.0)
        return None, result
    return {"stem": job["stem"], "learner": job["learner"], "text": text}, None


def _failed(job: dict, error: BaseException) -> dict:
    name = type(error).__name__
    if name == "KilledWorker":
        msg = "every cluster worker that took this notebook died while grading it (see the workers' logs)"
    else:
        msg = f"the cluster could not grade it ({name}: {str(error).splitlines()[0][:200] if str(error) else ''})"
    return {"learner": job["learner"], "stem": job["stem"], "status": "error", "message": msg, "notes": [],
            "tasks": engine.zero_tasks(job["stem"], msg), "seconds": 0.0, "peak_mb": 0.0}


def check_workers(client) -> dict:
    """{worker address: identity}; ClusterError when there is none or one grades another course."""
    try:
        client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
    except Exception:  # noqa: BLE001 - distributed raises TimeoutError or its own
        raise ClusterError(f"no dask worker joined the scheduler within {WORKER_TIMEOUT} s "
                           "(start one with `dask worker tcp://HOST:8786` in a course checkout)") from None
    ids = client.run(worker_identity)
    mine = course_digest()
    other = sorted(addr for addr, ident in ids.items() if ident["course"] != mine)
    if other:
        raise ClusterError(f"{len(other)} of {len(ids)} workers grade another version of the course "
                           f"({', '.join(other)}): run `git pull && make install` in their checkouts "
                           "and restart them (this checkout: " + mine + ")")
    return ids


def run_jobs(jobs: list, limits: Limits, address: str, progress: bool = True) -> list:
    """Grade ``jobs`` on the cluster at ``address``; results in the order of ``jobs``."""
    import sys

    from tqdm.auto import tqdm
    distributed = _distributed()
    try:
        client = distributed.Client(address, timeout=f"{CONNECT_TIMEOUT}s")
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterError(f"cannot reach the dask scheduler at {address} ({type(e).__name__}); start one "
                           "with `dask scheduler` and pass its address (tcp://HOST:8786)") from None
    results = [None] * len(jobs)
    with client:
        ids = check_workers(client)
        bare = sorted(addr for addr, ident in ids.items() if not ident["sandbox"])
        if bare and limits.sandbox is not False:
            print(f"note: {len(bare)} of {len(ids)} cluster workers grade without a sandbox "
                  f"({ids[bare[0]]['why']}): learner code runs with the worker's permissions; see "
                  "autograder/README.md, 'Threat model'.", file=sys.stderr)
        digest = course_digest()
        futures = {}
        for i, job in enumerate(jobs):
            payload, result = _payload(job)
            if result is not None:
                results[i] = result
                continue
            fut = client.submit(grade_remote, payload, limits, digest, pure=False,
                                key=f"grade-{job['stem']}-{i}")
            futures[fut] = i
        with tqdm(total=len(jobs), desc="grading", unit="nb", disable=not progress) as bar:
            bar.update(len(jobs) - len(futures))
            for fut in distributed.as_completed(list(futures)):
                i = futures[fut]
                try:
                    results[i] = fut.result()
                except Exception as e:  # noqa: BLE001 - one job's failure is its verdict
                    if client.status not in ("running", "connecting"):
                        raise ClusterError(f"lost the dask scheduler at {address} after {bar.n} of "
                                           f"{len(jobs)} notebooks; nothing was written: run again") from None
                    results[i] = _failed(jobs[i], e)
                bar.update(1)
    return results
