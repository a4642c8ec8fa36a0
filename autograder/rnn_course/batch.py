"""Run grading jobs in parallel worker processes under wall-clock and memory limits.

Every job runs in its own process with a private folder, reading the course gradebook read-only
(rnn_course.engine); the parent only starts processes, watches them and collects their JSON
results. A job that exceeds a limit is killed with its whole process group (the kernel
included) and gets a verdict; the batch goes on.

Each worker slot keeps one fork server (``rnn_course.worker --serve``) that has imported
nbgrader once and forks a fresh process per job (on Linux); elsewhere every job starts a new
interpreter instead.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
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
    memory_mb: float = 3072.0       # resident memory of the job (worker + kernel + its sandbox)
    sandbox: bool | None = None     # kernels in the bubblewrap sandbox: None = when available


def _sandboxed(limits: Limits) -> bool:
    from . import sandbox
    return sandbox.enabled(limits.sandbox)


_CHILDREN_FILES = os.path.exists(f"/proc/self/task/{os.getpid()}/children")   # Linux with that file


def _descendants(pid: int) -> list | None:
    """The pids of every descendant of ``pid``, read from Linux's /proc/PID/task/TID/children
    (a few small files, where psutil reads the status of every process on the machine, twice a
    poll); None where those files do not exist. Like any listing of running processes it can
    miss one that starts meanwhile: good for the memory poll, not for killing (see _kill)."""
    if not _CHILDREN_FILES:
        return None
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:                                 # gone meanwhile
            continue
        for tid in tids:
            try:
                with open(f"/proc/{p}/task/{tid}/children") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except (OSError, ValueError):
                continue
            out += kids
            todo += kids
    return out


def _processes(pid: int) -> list:
    """psutil.Process objects of ``pid``'s descendants (see _descendants)."""
    pids = _descendants(pid)
    if pids is None:
        return psutil.Process(pid).children(recursive=True)
    procs = []
    for k in pids:
        try:
            procs.append(psutil.Process(k))
        except psutil.Error:
            pass
    return procs


def _tree_procs(proc: psutil.Process, box: tuple = ()) -> list:
    """The job's processes: its own tree, and every process of its sandbox but the server."""
    try:
        procs = [proc] + _processes(proc.pid)
    except psutil.Error:
        procs = []
    if box:
        init_pid, server_pid = box
        try:
            procs += [p for p in _processes(init_pid) if p.pid != server_pid]
        except psutil.Error:
            pass
    return procs


def _tree_mem(proc: psutil.Process, exact: bool = False, box: tuple = ()) -> float:
    """Memory of a job's process tree in MiB.

    The cheap figure sums resident sizes, which counts twice the pages a forked kernel shares
    with its job (rnn_course.zygote); ``exact`` sums proportional set sizes (PSS) instead, which
    splits shared pages between their processes.
    """
    total = 0
    for p in _tree_procs(proc, box):
        try:
            total += p.memory_full_info().pss if exact else p.memory_info().rss
        except (psutil.Error, AttributeError):
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
    return total / 2**20


def _kill(pid: int, box: tuple = ()) -> None:
    """Kill a job process, its process group and every descendant (the kernel included)."""
    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        kids = []
    if box:
        try:
            kids += [p for p in psutil.Process(box[0]).children(recursive=True) if p.pid != box[1]]
        except psutil.Error:
            pass
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for k in kids:
        try:
            k.kill()
        except psutil.Error:
            pass


def _env() -> dict:
    return dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore", OMP_NUM_THREADS="1",
                MKL_NUM_THREADS="1")


class ForkServer:
    """One ``rnn_course.worker --serve`` process: start() once, then run() one job at a time."""

    def __init__(self, sandboxed: bool = False, memory_mb: float | None = None, warm: str | None = None,
                 extras: bool = False):
        self.proc = None
        self.sandboxed, self.memory_mb, self.warm, self.extras = sandboxed, memory_mb, warm, extras
        self.box: tuple = ()        # (init pid, server pid) of the slot's sandbox, for the limits

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "rnn_course.worker", "--serve"]
                                     + (["sandbox", str(self.memory_mb or 0)] if self.sandboxed else [])
                                     + (["--warm", self.warm] if self.warm else [])
                                     + (["--extras"] if self.extras else []),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=_env(), text=True,
                                     start_new_session=True)

    def submit(self, jpath: Path, rpath: Path) -> int | None:
        """Fork a child for the job; its pid, or None if the server is gone."""
        if not self.alive():
            self.start()
        try:
            self.proc.stdin.write(f"{jpath}\t{rpath}\n")
            self.proc.stdin.flush()
            pid, init_pid, server_pid = (int(x) for x in self.proc.stdout.readline().split())
            self.box = (init_pid, server_pid) if init_pid else ()
            return pid
        except (OSError, ValueError):
            self.close()
            return None

    def wait_done(self) -> bool:
        """Read the server's 'done' line for the child that just ended: did the job's sandbox
        hit its memory cgroup's limit?"""
        try:
            words = self.proc.stdout.readline().split()
            return len(words) >= 3 and words[0] == "done" and int(words[2]) > 0
        except (OSError, ValueError):
            self.close()
            return False

    def close(self) -> None:
        """Stop the server and wait until it and every process it started have exited."""
        if self.proc is not None:
            try:
                procs = psutil.Process(self.proc.pid).children(recursive=True)
            except psutil.Error:
                procs = []
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except Exception:  # noqa: BLE001 - a server that will not stop is killed
                _kill(self.proc.pid, self.box)
                self.proc.wait()
            try:
                self.proc.stdout.close()
            except OSError:
                pass
            alive = _wait_gone(procs, 10)
            for p in alive:
                try:
                    p.kill()
                except psutil.Error:
                    pass
            _wait_gone(alive, 5)
            self.proc = None
            self.box = ()


def _wait_gone(procs: list, timeout: float) -> list:
    """Wait until every process has exited; those still running after ``timeout``. An exited
    process counts as gone even before it is reaped (the sandbox's processes are orphans, reaped
    by the machine's init, on some machines only every second or two)."""
    def running(p):
        try:
            return p.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False
    deadline = time.monotonic() + timeout
    alive = [p for p in procs if running(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = [p for p in alive if running(p)]
    return alive


_local = threading.local()
_servers: list = []
_servers_lock = threading.Lock()


_spares: list = []                  # started by prestart(), not yet taken by a worker thread


JOBS_PER_SLOT = 4                   # at most one worker slot per this many jobs (see slot_count)
WARM_FROM = 3                       # jobs per server from which a server warms up first
EXTRAS_FROM = 2                     # jobs needing rnn_course.zygote.EXTRAS per server, to preload them


def slot_count(n_jobs: int | None, count: int) -> int:
    """Worker slots for ``count`` jobs with at most ``n_jobs`` at once (default: one per core):
    no more than one per JOBS_PER_SLOT jobs. Starting a slot (its fork server imports nbgrader,
    its kernel server torch) takes about as much CPU as four to seven jobs, so a handful of
    jobs is graded sooner by one slot than by two starting side by side on two cores."""
    return max(1, min(n_jobs or os.cpu_count() or 1, count // JOBS_PER_SLOT))


def prestart(limits: Limits, stems: list, n_jobs: int | None = None) -> None:
    """Start the fork servers of a batch whose jobs grade the notebooks ``stems`` (one entry per
    job) with up to ``n_jobs`` slots (``slot_count``), so their imports and sandbox start overlap
    with the caller's own preparation (reading the folder, job files); worker threads take them
    first. With WARM_FROM jobs or more per server, each server first runs a job's steps once on
    the released notebook of the first job (rnn_course.worker.warm_up): about 1 s, repaid after
    three jobs. With EXTRAS_FROM jobs or more per server of notebooks that need
    rnn_course.zygote.EXTRAS, their kernel servers preload those too (1.8 s, against 1.1-1.6 s in
    each such job)."""
    if not sys.platform.startswith("linux") or not stems:
        return
    from .zygote import needs_extras
    n = slot_count(n_jobs, len(stems))
    sandboxed = _sandboxed(limits)
    warm = stems[0] if len(stems) / n >= WARM_FROM else None
    extras = sum(map(needs_extras, stems)) / n >= EXTRAS_FROM
    with _servers_lock:
        for _ in range(n):
            server = ForkServer(sandboxed, limits.memory_mb, warm, extras)
            try:
                server.start()
            except OSError:
                return
            _spares.append(server)
            _servers.append(server)


def _server(sandboxed: bool = False, memory_mb: float | None = None) -> ForkServer | None:
    if not sys.platform.startswith("linux"):     # macOS frameworks are not fork-safe; Windows has no fork
        return None
    old = getattr(_local, "server", None)
    if old is not None and (old.sandboxed, old.memory_mb) != (sandboxed, memory_mb):
        old.close()
        _local.server = None
    if getattr(_local, "server", None) is None:
        with _servers_lock:
            spare = next((x for x in _spares if (x.sandboxed, x.memory_mb) == (sandboxed, memory_mb)), None)
            if spare is not None:
                _spares.remove(spare)
                _local.server = spare
            else:
                _local.server = ForkServer(sandboxed, memory_mb)
                _servers.append(_local.server)
    return _local.server


def close_servers() -> None:
    from . import cgroup
    with _servers_lock:
        _spares.clear()
        while _servers:
            _servers.pop().close()
    _local.server = None
    cgroup.sweep()                      # memory cgroups of sandboxes that died with their server


POLL = 0.1                          # seconds between two looks at a running job's memory and time


def _ended_within(server: "ForkServer | None", proc: "subprocess.Popen | None", seconds: float) -> bool:
    """Wait up to ``seconds`` for the job to end: True as soon as it has (the fork server's
    "done" line can be read, or the process has exited), so a job's end is seen at once."""
    import select
    if proc is not None:
        try:
            proc.wait(timeout=seconds)
            return True
        except subprocess.TimeoutExpired:
            return False
    if server is not None and server.proc is not None and server.proc.stdout is not None:
        try:
            return bool(select.select([server.proc.stdout], [], [], seconds)[0])
        except (OSError, ValueError):
            pass
    time.sleep(seconds)
    return False


def run_job(job: dict, limits: Limits, retries: int = 1) -> dict:
    """Grade one job in a subprocess; always returns a result dict with a status.

    An infrastructure failure (status "error": the kernel did not start, nbgrader crashed) is
    retried, so a busy machine never costs a learner points.
    """
    for _ in range(retries):
        result = _run_once(job, limits)
        if result["status"] != "error":
            return result
    return _run_once(job, limits, use_server=False)      # last try: a fresh interpreter


def _read_result(rpath: Path) -> dict | None:
    """The job's result, or None when it is missing or not a result (never an exception)."""
    try:
        if rpath.is_symlink() or not rpath.is_file():
            return None
        result = json.loads(rpath.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(result, dict) or result.get("status") not in engine.STATUSES \
            or not isinstance(result.get("tasks"), list):
        return None
    return result


def _run_once(job: dict, limits: Limits, use_server: bool = True) -> dict:
    try:
        return _run_once_inner(job, limits, use_server)
    except Exception as e:  # noqa: BLE001 - a verdict for this job, never a stopped batch
        msg = f"the grading process failed ({type(e).__name__})"
        return {"learner": job["learner"], "stem": job["stem"], "status": "error", "message": msg, "notes": [],
                "tasks": engine.zero_tasks(job["stem"], msg), "seconds": 0.0, "peak_mb": 0.0}


def _run_once_inner(job: dict, limits: Limits, use_server: bool = True) -> dict:
    sandboxed = _sandboxed(limits)
    with tempfile.TemporaryDirectory(prefix="rnn-job-") as tmp:
        os.chmod(tmp, 0o700)
        jpath, rpath = Path(tmp) / "job.json", Path(tmp) / "result.json"
        jpath.write_text(json.dumps(dict(job, cell_timeout=limits.cell_timeout, sandbox=sandboxed,
                                         memory_mb=limits.memory_mb)))
        logpath = Path(str(rpath) + ".log")
        t0 = time.monotonic()
        server = _server(sandboxed, limits.memory_mb) if use_server else None
        pid = server.submit(jpath, rpath) if server is not None else None
        box = server.box if server is not None and pid is not None else ()
        proc = None
        if pid is None:                                          # no fork server: a fresh interpreter
            server = None
            with open(logpath, "wb") as log:
                proc = subprocess.Popen([sys.executable, "-m", "rnn_course.worker", str(jpath), str(rpath)],
                                        stdout=log, stderr=subprocess.STDOUT, env=_env(),
                                        start_new_session=True)
            pid = proc.pid
        try:
            ps = psutil.Process(pid)
        except psutil.Error:
            ps = None
        peak, verdict = 0.0, None

        def running() -> bool:
            if proc is not None:
                return proc.poll() is None
            try:
                return ps is not None and ps.status() != psutil.STATUS_ZOMBIE
            except psutil.Error:
                return False

        polls = 0
        while running():
            polls += 1
            mem = _tree_mem(ps, box=box)                         # fast upper bound every poll
            if mem > limits.memory_mb or polls % 10 == 1:        # exact figure when it matters
                mem = _tree_mem(ps, exact=True, box=box)
                peak = max(peak, mem)
            if mem > limits.memory_mb:
                verdict = ("memory", engine.memory_message(limits.memory_mb))
            elif time.monotonic() - t0 > limits.wall_timeout:
                verdict = ("timeout", f"grading took longer than {limits.wall_timeout:.0f} s")
            if verdict:
                _kill(pid, box)
                break
            if _ended_within(server if proc is None else None, proc, POLL):
                break
        _kill(pid, box)                                          # no stray kernels
        if proc is not None:
            proc.wait()
        if server is not None and server.wait_done() and not verdict:
            verdict = ("memory", engine.memory_message(limits.memory_mb))
        out = logpath.read_text("utf-8", "replace") if logpath.exists() else ""
        elapsed = time.monotonic() - t0
        if verdict:
            result = {"status": verdict[0], "message": verdict[1], "notes": [],
                      "tasks": engine.zero_tasks(job["stem"], verdict[1])}
        elif _read_result(rpath) is not None:
            result = _read_result(rpath)
        else:
            msg = "the grading process crashed: " + (out.strip().splitlines() or ["no output"])[-1][:300]
            result = {"status": "error", "message": msg, "notes": [],
                      "tasks": engine.zero_tasks(job["stem"], msg)}
        result.update(learner=job["learner"], stem=job["stem"], seconds=round(elapsed, 2),
                      peak_mb=round(peak, 1))
        return result


def run_jobs(jobs: list, limits: Limits, n_jobs: int | None = None, progress: bool = True) -> list:
    """Grade all jobs with up to ``n_jobs`` workers (``slot_count``); results in the order of ``jobs``."""
    from tqdm.auto import tqdm

    from . import sandbox

    n_jobs = slot_count(n_jobs, len(jobs))
    if {j["learner"] for j in jobs} - {"me"}:                 # grading others (not self-grading)
        sandbox.warn_unsandboxed(limits.sandbox)
    results = [None] * len(jobs)
    with ThreadPoolExecutor(max_workers=n_jobs) as pool, \
            tqdm(total=len(jobs), desc="grading", unit="nb", disable=not progress) as bar:
        try:
            futures = {pool.submit(run_job, job, limits): i for i, job in enumerate(jobs)}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                bar.update(1)
        finally:
            pool.shutdown(wait=True)
            close_servers()
    return results
