"""Grading on a dask.distributed cluster (`rnn-course grade --cluster`): a real scheduler and two
workers on 127.0.0.1 (the `dask` command line, as an instructor starts them), the same class graded
locally and on the cluster, identical grades; a worker killed mid-job loses no submission."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import gradekit
from rnn_course import cluster, engine
from rnn_course.batch import Limits
from rnn_course.paths import ROOT, solution_stems

distributed = pytest.importorskip("distributed")

S01 = next(s for s in solution_stems() if s.startswith("01"))
DASK = str(Path(sys.executable).with_name("dask"))
PROBE = ROOT / "autograder" / ".cluster-probe"          # a hostile submission tries to write it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kill_tree(proc: psutil.Process) -> None:
    try:
        procs = proc.children(recursive=True) + [proc]
    except psutil.Error:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=10)


def rnn_course(*args):
    return subprocess.run([sys.executable, "-m", "rnn_course.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """tcp://127.0.0.1:PORT with two single-threaded workers (no nanny: a killed worker stays dead)."""
    logs = tmp_path_factory.mktemp("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=open(logs / "scheduler.log", "w"), stderr=subprocess.STDOUT, env=env)]
    workers = []
    try:
        for name in ("w1", "w2"):
            workers.append(subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--no-nanny",
                                             "--no-dashboard", "--name", name],
                                            stdout=open(logs / f"{name}.log", "w"), stderr=subprocess.STDOUT,
                                            env=env))
        with distributed.Client(address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:
        for p in workers + procs:
            kill_tree(psutil.Process(p.pid)) if p.poll() is None else None


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """A class for 01: full marks, the blank release, one mistake, a folder named like the notebook,
    a learner without it, and a submission that tries to write into the course checkout."""
    subs = tmp_path_factory.mktemp("subs")
    gradekit.write(gradekit.filled(S01), subs, "ana", S01)
    gradekit.write(gradekit.released(S01), subs, "bo", S01)
    gradekit.write(gradekit.wrong(S01)[0], subs, "cy", S01)
    (subs / "dee" / f"{S01}.ipynb").mkdir(parents=True)
    (subs / "eve").mkdir()
    hostile = gradekit.insert_after(gradekit.filled(S01), "rnn_scan",
                                    f"try:\n    open({str(PROBE)!r}, 'w').write('x')\nexcept OSError:\n    pass")
    gradekit.write(hostile, subs, "mal", S01)
    out = tmp_path_factory.mktemp("local")
    r = rnn_course("grade", subs, "--notebooks", "01", "--jobs", "2", "--quiet", "--out", out / "grades.csv")
    assert r.returncode == 0, r.stderr
    return subs, out


def sandboxed() -> bool:
    from rnn_course import sandbox
    return sandbox.status()[0]


def test_cluster_grades_exactly_like_local_grading(scheduler, klass, tmp_path):
    address, _ = scheduler
    subs, local = klass
    r = rnn_course("grade", subs, "--notebooks", "01", "--quiet", "--cluster", address,
                   "--out", tmp_path / "grades.csv")
    assert r.returncode == 0, r.stderr
    got = (tmp_path / "grades.csv").read_text()
    assert got == (local / "grades.csv").read_text()
    assert (tmp_path / "grades_totals.csv").read_text() == (local / "grades_totals.csv").read_text()
    statuses = {line.split(",")[0]: line.split(",")[5] for line in got.splitlines()[1:]}
    assert statuses == {"ana": "ok", "bo": "ok", "cy": "ok", "dee": "invalid_notebook", "eve": "missing",
                        "mal": "ok"}
    assert ",rnn_scan,3,3,ok," in next(x for x in got.splitlines() if x.startswith("ana,"))
    assert "0,3,ok" in next(x for x in got.splitlines() if x.startswith("bo,"))
    if sandboxed():                      # every job ran in its worker's sandbox
        assert "without a sandbox" not in r.stderr
        assert not PROBE.exists(), "a cluster job wrote into the course checkout"


def test_a_worker_killed_mid_job_loses_no_submission(scheduler, klass, tmp_path):
    address, workers = scheduler
    subs, local = klass
    cli = subprocess.Popen([sys.executable, "-m", "rnn_course.cli", "grade", str(subs), "--notebooks", "01",
                            "--quiet", "--cluster", address, "--out", str(tmp_path / "grades.csv")],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def grading(w) -> bool:              # a fork-server child (one job) is running under this worker
        try:
            for p in psutil.Process(w.pid).children(recursive=True):
                if "--serve" in p.cmdline() and "--serve" in p.parent().cmdline():
                    return True
        except psutil.Error:
            pass
        return False

    victim, deadline = None, time.monotonic() + 120
    while victim is None and time.monotonic() < deadline and cli.poll() is None:
        victim = next((w for w in workers if w.poll() is None and grading(w)), None)
        time.sleep(0.05)
    assert victim is not None, "no job started on a worker"
    kill_tree(psutil.Process(victim.pid))
    out, err = cli.communicate(timeout=600)
    assert cli.returncode == 0, err
    assert (tmp_path / "grades.csv").read_text() == (local / "grades.csv").read_text()


def test_a_worker_with_another_course_version_is_refused(scheduler, monkeypatch):
    address, _ = scheduler
    monkeypatch.setattr(cluster, "course_digest", lambda: "0" * 16)
    with pytest.raises(cluster.ClusterError, match="another version of the course"):
        cluster.run_jobs([], Limits(), address, progress=False)


def test_a_job_on_a_stale_worker_is_an_error_not_a_grade():
    payload = {"stem": S01, "learner": "ana", "text": "{}"}
    res = cluster.grade_remote(payload, Limits(), "0" * 16)
    assert res["status"] == "error" and "another version of the course" in res["message"]
    assert all(t["score"] == 0 for t in res["tasks"] if not t["manual"])


def test_a_job_every_worker_died_of_is_marked(monkeypatch):
    from distributed.scheduler import KilledWorker
    res = cluster._failed({"learner": "ana", "stem": S01}, KilledWorker("grade-01-0", "tcp://w", 3))
    assert res["status"] == "error" and "died" in res["message"]
    assert [t["task"] for t in res["tasks"]] == [t["task"] for t in engine.zero_tasks(S01, "")]


def test_an_unreachable_scheduler_is_one_clear_error(klass, monkeypatch, capsys, tmp_path):
    from rnn_course.cli import main
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2)
    subs, _ = klass
    out = tmp_path / "grades.csv"
    code = main(["grade", str(subs), "--notebooks", "01", "--quiet", "--out", str(out),
                 "--cluster", f"tcp://127.0.0.1:{free_port()}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "cannot reach the dask scheduler" in err[0], err
    assert not out.exists()
