"""One grading job in its own process: ``python -m rnn_course.worker JOB.json RESULT.json``.

``python -m rnn_course.worker --serve [sandbox [MiB]] [--warm STEM]`` is a fork server: it imports nbgrader once
(and, with ``--warm``, runs a job's steps once without a kernel, see ``warm_up``),
then reads ``JOB.json<TAB>RESULT.json`` lines on stdin and forks one child per job, which starts
its own session, so every job still runs in a process of its own. With ``sandbox`` it also keeps
this worker slot's sandboxed kernel server (rnn_course.zygote.SandboxServer), resets it after
every job and restarts it when it has died; without, it imports what every grading kernel imports
(rnn_course.zygote) so each job can fork its kernel. For each job it writes
``<child pid> <sandbox init pid> <sandbox server pid>`` (0 0 without a sandbox), then
``done <wait status> <memory-limit hits>`` when the child has ended and the sandbox is clean. With
``--serve sandbox MiB`` the sandbox sits in a memory cgroup limited to MiB more than it holds
at start (rnn_course.cgroup), where this machine has a writable one. The parent
(rnn_course.batch) watches the child and the sandbox for the wall-clock and memory limits.
"""
from __future__ import annotations

import gc
import json
import os
import signal
import sys
import traceback
from pathlib import Path

import nbformat


_server_fingerprints: dict | None = None   # guard.fingerprints() of this fork server's clean start


def job_fingerprints(job: dict) -> dict:
    """The guarded objects' fingerprints for this job: the job file's, else those taken at the
    clean start of the fork server or of the sandboxed kernel server (which preloaded the same
    modules the kernel has), else taken here, in this job's fresh interpreter, before any kernel."""
    if job.get("fingerprints"):
        return job["fingerprints"]
    if _server_fingerprints:
        return _server_fingerprints
    from . import guard
    return guard.fingerprints()


def run(job: dict) -> dict:
    from . import engine
    from .prepare import InvalidNotebook, read_submission, repair

    stem, learner = job["stem"], job["learner"]
    try:
        sub = read_submission(job["submission"])
    except InvalidNotebook as e:
        return invalid_result(stem, e)
    released = nbformat.read(job["released"], as_version=4)
    prepared = repair(sub, released)
    keep = Path(job["keep"]) if job.get("keep") else None
    result = engine.grade_prepared(prepared.nb, stem, learner, job_fingerprints(job),
                                   cell_timeout=job.get("cell_timeout", 60), keep=keep)
    from .grading import version_warning
    warning = version_warning(job["submission"], stem)
    result["notes"] = ([warning] if warning else []) + prepared.notes
    if prepared.tampered and result["status"] == "ok":
        result["status"] = "tampered"
    if prepared.tampered:
        result["message"] = "; ".join(filter(None, [result.get("message"), *prepared.notes]))
    return result


def invalid_result(stem: str, error) -> dict:
    """The verdict for a submission that is not a readable notebook (prepare.InvalidNotebook)."""
    from . import engine
    msg = f"not a valid notebook: {error}"
    return {"status": "invalid_notebook", "tasks": engine.zero_tasks(stem, msg), "message": msg, "notes": []}


def memory_result(stem: str, memory_mb) -> dict:
    """The verdict for a job whose sandbox hit its memory limit."""
    from . import engine
    msg = engine.memory_message(memory_mb)
    return {"status": "memory", "tasks": engine.zero_tasks(stem, msg), "message": msg, "notes": []}


def write_result(result: dict, rpath: str) -> None:
    """Write the result next to its final name, then rename it into place (never half a file)."""
    data = json.dumps(result)
    tmp = f"{rpath}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(data)
    if os.path.isdir(rpath) and not os.path.islink(rpath):
        import shutil
        shutil.rmtree(rpath, ignore_errors=True)
    os.replace(tmp, rpath)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from . import zygote
    job = json.loads(Path(argv[0]).read_text())
    if zygote._box is None and job.get("sandbox"):
        zygote._fresh_sandbox = True                    # a job of its own: its kernel under bwrap
        zygote._memory_mb, zygote._fresh_cages = job.get("memory_mb"), []
    use_zygote_kernels()
    result = run(job)
    for cage in zygote._fresh_cages or []:
        if cage.limit_hits():
            result = memory_result(job["stem"], job.get("memory_mb"))
        cage.close()
    write_result(result, argv[1])
    return 0


def use_zygote_kernels() -> None:
    """Make jupyter_client launch this process's kernels through rnn_course.zygote."""
    from jupyter_client.provisioning.factory import KernelProvisionerFactory

    KernelProvisionerFactory.instance().default_provisioner_name = "rnn-course-zygote"


def warm_up(stem: str) -> None:
    """Grade the released notebook ``stem`` here, in the fork server, without a kernel (every
    other step of a job: gradebook queries, nbgrader's preprocessors, notebook validation,
    scoring, the hidden tests read for redaction), and import what a kernel's start imports, so
    that each forked job starts with those imports done and those caches filled. Nothing of it
    is kept but the caches: no kernel, thread or open database."""
    import tempfile

    from . import engine
    from .release import released_path
    try:
        nb = nbformat.read(released_path(stem), as_version=4)
        with tempfile.TemporaryDirectory(prefix="rnn-warm-") as keep:
            engine.grade_prepared(nb, stem, "warm-up", {}, keep=Path(keep) / "graded.ipynb", execute=False)
    except Exception:  # noqa: BLE001 - a warm-up that fails only means colder jobs
        pass
    try:                                                # what starting a kernel imports (IPython
        from jupyter_client.kernelspec import KernelSpecManager   # itself, for the kernel spec)
        KernelSpecManager().get_kernel_spec("python3")
    except Exception:  # noqa: BLE001
        pass
    use_zygote_kernels()                                # the provisioners' entry points, read once


def serve(sandboxed: bool = False, memory_mb: float | None = None, warm: str | None = None,
          extras: bool = False) -> int:
    from . import zygote
    from .zygote import PR_SET_PDEATHSIG, _prctl
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)           # the server dies with the batch that started it

    def start_box(wait: bool = True):
        try:
            return zygote.SandboxServer(memory_mb, wait=wait, extras=extras)
        except Exception:  # noqa: BLE001 - then each kernel starts under bwrap on its own
            return None

    box = start_box(wait=False) if sandboxed else None  # it preloads while this process imports
    from nbgrader.apps import NbGraderAPI  # noqa: F401 - imported once, shared by every child

    from . import engine, grading, nbconfig, prepare  # noqa: F401
    if warm:
        warm_up(warm)
    if box is not None:
        try:
            box.ready()
        except Exception:  # noqa: BLE001
            box = None
    global _server_fingerprints
    if not sandboxed:
        zygote.preload(extras)
        from . import guard
        _server_fingerprints = guard.fingerprints()     # free: preload imported what they cover
        # every object of this server (nbgrader, torch, IPython...) out of the garbage collector's
        # reach: a job forked from it, and the kernel the job forks in turn, walked them all in
        # their own collections (notebook 07: a job 1.1 s -> 0.55-0.65 s; with the sandbox, where
        # this server holds no torch, it changes nothing measurable)
        gc.collect()
        gc.freeze()
    elif box is not None:
        _server_fingerprints = box.fingerprints
    for line in sys.stdin:
        jpath, rpath = line.rstrip("\n").split("\t")[:2]
        if sandboxed and (box is None or not box.alive()):
            if box is not None:
                box.close()
            box = start_box()
            _server_fingerprints = box.fingerprints if box is not None else None
        zygote._box = box
        if box is not None:
            box.reset_peak()                            # the limit is counted per job
        hits = box.limit_hits() if box is not None else 0
        pid = os.fork()
        if pid == 0:                                    # the child: one job, then exit
            code = 1
            try:
                os.setsid()
                _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)   # and the job with its server
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                log = os.open(rpath + ".log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(log, 1)
                os.dup2(log, 2)
                os.close(log)
                if not sandboxed:
                    zygote.fork_for_job()               # before the job file is read: no secrets
                code = main([jpath, rpath])
            except BaseException:  # noqa: BLE001 - reported through the log
                traceback.print_exc()
            finally:
                zygote.release()
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(pid, box.init_pid if box else 0, box.server_pid if box else 0, flush=True)
        _, status = os.waitpid(pid, 0)
        if box is not None:
            hits = box.limit_hits() - hits              # the job reached the sandbox's memory limit
            box.reset()                                 # nothing of the job outlives it
        print(f"done {status} {max(hits, 0) if box is not None else 0}", flush=True)
    if box is not None:
        box.close()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        args = sys.argv[2:]
        warm = None
        if "--warm" in args:                            # --warm STEM: see warm_up
            k = args.index("--warm")
            warm, args = args[k + 1], args[:k] + args[k + 2:]
        extras = "--extras" in args                     # --extras: see rnn_course.zygote.preload
        args = [a for a in args if a != "--extras"]
        code = serve(sandboxed=args[:1] == ["sandbox"], memory_mb=float(args[1]) if len(args) > 1 else None,
                     warm=warm, extras=extras)
        sys.stdout.flush()
        os._exit(code)                                  # no interpreter shutdown: ~1 s with torch loaded
    sys.exit(main())
