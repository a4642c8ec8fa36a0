"""One grading job in its own process: ``python -m rnn_course.worker JOB.json RESULT.json``.

``python -m rnn_course.worker --serve`` is a fork server: it imports nbgrader, and what every
grading kernel imports (rnn_course.zygote), once, then reads ``JOB.json<TAB>RESULT.json`` lines on stdin and forks one child per job,
which starts its own session, so every job still runs in a process of its own. For each job it
writes the child's pid, then ``done <wait status>`` when the child has ended. The parent
(rnn_course.batch) watches the child for the wall-clock and memory limits.
"""
from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

import nbformat


def run(job: dict) -> dict:
    from . import engine
    from .prepare import InvalidNotebook, read_submission, repair

    stem, learner = job["stem"], job["learner"]
    try:
        sub = read_submission(job["submission"])
    except InvalidNotebook as e:
        msg = f"not a valid notebook: {e}"
        return {"status": "invalid_notebook", "tasks": engine.zero_tasks(stem, msg), "message": msg, "notes": []}
    released = nbformat.read(job["released"], as_version=4)
    prepared = repair(sub, released)
    keep = Path(job["keep"]) if job.get("keep") else None
    result = engine.grade_prepared(prepared.nb, stem, learner, job["fingerprints"],
                                   cell_timeout=job.get("cell_timeout", 60), keep=keep)
    from .grading import version_warning
    warning = version_warning(job["submission"], stem)
    result["notes"] = ([warning] if warning else []) + prepared.notes
    if prepared.tampered and result["status"] == "ok":
        result["status"] = "tampered"
    if prepared.tampered:
        result["message"] = "; ".join(filter(None, [result.get("message"), *prepared.notes]))
    return result


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(argv[0]).read_text())
    result = run(job)
    Path(argv[1]).write_text(json.dumps(result))
    return 0


def use_zygote_kernels() -> None:
    """Make jupyter_client launch this process's kernels through rnn_course.zygote."""
    from jupyter_client.provisioning.factory import KernelProvisionerFactory

    KernelProvisionerFactory.instance().default_provisioner_name = "rnn-course-zygote"


def serve() -> int:
    from nbgrader.apps import NbGraderAPI  # noqa: F401 - imported once, shared by every child

    from . import engine, grading, nbconfig, prepare, zygote  # noqa: F401
    zygote.preload()
    for line in sys.stdin:
        jpath, rpath = line.rstrip("\n").split("\t")
        pid = os.fork()
        if pid == 0:                                    # the child: one job, then exit
            code = 1
            try:
                os.setsid()
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                log = os.open(rpath + ".log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(log, 1)
                os.dup2(log, 2)
                zygote.fork_for_job()                   # before the job file is read: no secrets
                use_zygote_kernels()
                code = main([jpath, rpath])
            except BaseException:  # noqa: BLE001 - reported through the log
                traceback.print_exc()
            finally:
                zygote.release()
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"done {status}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(serve() if sys.argv[1:] == ["--serve"] else main())
