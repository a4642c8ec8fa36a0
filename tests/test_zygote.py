"""Pre-forked kernels (rnn_course.zygote): the same verdicts as a freshly started kernel, no leftovers."""
from __future__ import annotations

import os
import sys

import psutil
import pytest
from nbformat.v4 import new_code_cell

import gradekit
from rnn_course import batch, guard, sandbox, zygote
from rnn_course.grading import make_job

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pre-forked kernels are Linux-only")

STEM = "01_recurrence"
PROBE = ("import os, sys\n"
         "print('argv0', sys.argv[0])\n"
         "print('cwd', os.getcwd())\n"
         "print('main', __name__)\n"
         "print('uid', os.getuid())")
SANDBOX = sandbox.status()[0]


def _grade(tmp_path, nb, name, use_server):
    path = gradekit.write(nb, tmp_path / name, "alice", STEM)
    keep = tmp_path / name / "graded.ipynb"
    job = make_job(path, STEM, "alice", guard.fingerprints(), keep=keep)
    return batch._run_once(job, batch.Limits(cell_timeout=30, wall_timeout=240), use_server=use_server), keep


def _probe_output(keep) -> dict:
    import nbformat
    nb = nbformat.read(keep, as_version=4)
    text = next(o["text"] for c in nb.cells if c.cell_type == "code" and c.source == PROBE
                for o in c.outputs if o.get("name") == "stdout")
    return dict(line.split(" ", 1) for line in text.strip().splitlines())


@pytest.fixture(scope="module")
def one_slot():
    """One worker slot (fork server and kernel server) for the forked kernels of this module."""
    try:
        yield
    finally:
        batch.close_servers()


@pytest.mark.parametrize("kind", ["filled", "one_wrong"])
def test_forked_kernel_grades_like_a_fresh_kernel(tmp_path, kind, one_slot):
    nb = gradekit.filled(STEM) if kind == "filled" else gradekit.wrong(STEM)[0]
    nb.cells.insert(2, new_code_cell(PROBE))
    forked, keep_f = _grade(tmp_path, nb, "forked", use_server=True)      # the second job reuses the slot
    fresh, keep_n = _grade(tmp_path, nb, "fresh", use_server=False)
    pick = lambda r: (r["status"], [(t["task"], t["score"]) for t in r["tasks"]])  # noqa: E731
    assert pick(forked) == pick(fresh)
    f, n = _probe_output(keep_f), _probe_output(keep_n)
    # both kernels are ours (the guard armed before learner code): pre-forked, or rnn_course.zygote --kernel
    assert f["argv0"] == n["argv0"] == "ipykernel_launcher"
    assert f["main"] == n["main"] == "__main__"
    if SANDBOX:       # the kernel's working directory is its scratch folder, outside the nbgrader tree
        assert f["uid"] == n["uid"] == "65534"
        assert "autograded" not in f["cwd"] and "autograded" not in n["cwd"]
        assert os.path.basename(os.path.dirname(f["cwd"])).startswith("rnn-sbx-")
    else:
        assert f["cwd"].endswith(f"autograded/learner/{STEM}") and n["cwd"].endswith(f"autograded/learner/{STEM}")
    if kind == "one_wrong":
        assert 0 < sum(t["score"] or 0 for t in forked["tasks"]) < sum(t["max_score"] for t in forked["tasks"]
                                                                       if not t["manual"])


def test_jobs_without_a_kernel_leave_no_process_behind(tmp_path):
    bad = tmp_path / "subs" / "bob" / f"{STEM}.ipynb"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"cells": [')
    job = make_job(bad, STEM, "bob", guard.fingerprints())
    before = set(psutil.Process().children(recursive=True))
    limits = batch.Limits()
    server = batch._server(batch._sandboxed(limits), limits.memory_mb)
    try:
        for _ in range(3):
            assert batch._run_once(job, limits)["status"] == "invalid_notebook"
        assert server.alive()
        allowed = set()
        if server.box:                                   # the slot's sandbox: bwrap, its init, the kernel server
            allowed = set(server.box) | {psutil.Process(server.box[0]).ppid()}
        kids = [k for k in psutil.Process(server.proc.pid).children(recursive=True) if k.pid not in allowed]
        assert kids == [], f"left behind: {[k.cmdline() for k in kids]}"
    finally:
        batch.close_servers()
    assert set(psutil.Process().children(recursive=True)) <= before


def test_an_unused_zygote_exits_and_is_reaped():
    import ipykernel.kernelapp  # noqa: F401 - fork_for_job forks only where kernels are preloaded

    zygote.fork_for_job()
    pid = zygote._current.pid
    assert psutil.Process(pid).status() != psutil.STATUS_ZOMBIE     # waiting for a command line
    zygote.release()
    assert not psutil.pid_exists(pid)


def test_grading_client_is_ready_despite_earlier_requests():
    """GradingKernelClient.wait_for_ready matches the kernel's reply and idle status to its own
    request: replies and statuses of earlier requests (a slow IOPub connection makes it ask
    again) never keep it waiting."""
    import asyncio
    import time

    from jupyter_client.manager import AsyncKernelManager

    async def main():
        km = AsyncKernelManager(kernel_name="python3")
        km.client_factory = zygote.GradingKernelClient
        await km.start_kernel()
        kc = km.client()
        try:
            kc.start_channels()
            while True:                         # IOPub connected first (ipykernel 7 welcomes the
                msg = await kc.iopub_channel.get_msg(timeout=30)   # subscription): statuses sent
                if msg["msg_type"] == "iopub_welcome":             # before it would be lost
                    break
            sent = {kc.kernel_info() for _ in range(3)}
            idle = set()
            while idle != sent:                 # their statuses are read (lost, as without IOPub);
                msg = await kc.iopub_channel.get_msg(timeout=10)   # their replies wait, stale
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    idle.add(msg["parent_header"]["msg_id"])
            t0 = time.monotonic()
            await asyncio.wait_for(kc.wait_for_ready(timeout=30), 30)
            assert time.monotonic() - t0 < 5
            msg_id = kc.execute("x = 6 * 7")
            reply = await kc.shell_channel.get_msg(timeout=10)
            assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "ok"
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    asyncio.run(main())


def test_warm_up_runs_every_step_but_the_kernel(tmp_path):
    """The fork server's warm-up (rnn_course.worker.warm_up, which ignores its own failures)
    really grades the released notebook without a kernel: each step but Execute ran, the test
    cells were instrumented, and the scores are those of a notebook never run."""
    import nbformat

    from rnn_course import engine
    from rnn_course.release import released_path

    nb = nbformat.read(released_path(STEM), as_version=4)
    keep = tmp_path / "graded.ipynb"
    result = engine.grade_prepared(nb, STEM, "warm-up", {}, keep=keep, execute=False)
    assert result["status"] == "ok", result.get("message")
    graded = nbformat.read(keep, as_version=4)
    tests = [c for c in graded.cells if gradekit.nbg(c).get("grade") and not gradekit.nbg(c).get("solution")
             and c.cell_type == "code"]
    assert tests and all(c.source.startswith(guard.ENTRY) for c in tests)
    assert not any(c.get("outputs") for c in graded.cells if c.cell_type == "code")
    assert all(t["score"] == 0 for t in result["tasks"] if not t["manual"])


def test_extras_are_preloaded_where_a_batch_holds_enough_notebooks_that_import_them(monkeypatch):
    """EXTRAS (what backward(gradient) and an optimizer step import) are preloaded only for the
    notebooks whose graded cells use them, and only with two such jobs or more per server."""
    assert zygote.needs_extras("03_bptt") and zygote.needs_extras("04_truncated_bptt")
    assert not zygote.needs_extras("01_recurrence") and not zygote.needs_extras("no_such_notebook")
    started = []
    monkeypatch.setattr(batch.ForkServer, "start", lambda self: started.append(self.extras))
    try:
        batch.prestart(batch.Limits(), ["03_bptt"] * 4 + [STEM] * 6, 2)       # two slots, two such jobs each
        batch.prestart(batch.Limits(), ["04_truncated_bptt"] * 3 + [STEM] * 7, 2)
    finally:
        with batch._servers_lock:
            batch._spares.clear()
            batch._servers.clear()
    assert started == [True, True, False, False]
    import importlib.util                       # and they are modules of this torch (preload skips a name it cannot import)
    assert all(importlib.util.find_spec(m) is not None for m in zygote.EXTRAS)

