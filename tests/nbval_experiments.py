"""Each experiment shows its phenomenon, checked on the run nbval already makes.

nbval executes every solution notebook, experiments included, in a real kernel. This plugin
adds one item after the last cell of each notebook that has a tests/variants module: it asks
that kernel for the notebook's ``EXPERIMENT`` dict and calls the module's
``check_experiment(E)`` on it. The experiments therefore run once per test session, as a
learner runs them (a kernel, cells in order), instead of a second time in-process.

nbval's kernels are forked by one kernel server per test worker that has imported torch, numpy,
matplotlib and IPython once (rnn_course.zygote's sandboxed server, as grading's kernels are):
each notebook's kernel starts with those imports done (about 3 s of CPU a notebook) and runs
its cells as a fresh one would (a new namespace; the notebooks import everything they use by
name, `from helpers.x import ...`). Only the graded notebooks (those with a tests/variants
module): the mock interview reads solutions/, which the sandbox does not show. Without
bubblewrap, or with RNN_NBVAL_FRESH=1, nbval starts its kernels the usual way.
"""
from __future__ import annotations

import base64
import importlib
import os
import pickle
from pathlib import Path
from queue import Empty

import pytest

MARK = "RNN-EXPERIMENT:"
FETCH = ("import base64 as _b64, pickle as _pkl\n"
         f"print({MARK!r} + _b64.b64encode(_pkl.dumps(EXPERIMENT)).decode())\n"
         "del _b64, _pkl")


def _variants(stem: str):
    try:
        return importlib.import_module(f"variants.v{stem}")
    except ImportError:
        return None


class ExperimentCheck(pytest.Item):
    """The notebook's EXPERIMENT, read from nbval's kernel, passes check_experiment."""

    def __init__(self, *, module, **kwargs):
        super().__init__(**kwargs)
        self.module = module

    def runtest(self):
        kernel = self.parent.kernel
        assert kernel is not None and kernel.is_alive(), "nbval's kernel is gone: an earlier cell crashed it"
        msg_id = kernel.execute_cell_input(FETCH, allow_stdin=False)
        kernel.await_reply(msg_id, timeout=60)
        text, error = "", None
        while True:
            try:
                msg = kernel.get_message(stream="iopub", timeout=60)
            except Empty:
                break
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content.get("name") == "stdout":
                text += content["text"]
            elif kind == "error":
                error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                break
        assert error is None, f"{self.parent.name}: the experiment must leave its figures in EXPERIMENT ({error})"
        line = next((ln for ln in text.splitlines() if ln.startswith(MARK)), None)
        assert line is not None, f"{self.parent.name}: EXPERIMENT could not be read from the kernel"
        experiment = pickle.loads(base64.b64decode(line[len(MARK):]))
        self.module.check_experiment(experiment)

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::experiment"


class NbvalExperiments:
    """Registered by tests/conftest.py; hooks of a registered plugin apply to solutions/ too."""

    box = None                      # this worker's kernel server, started with its first notebook

    def _server(self):
        from rnn_course import sandbox, zygote
        if os.environ.get("RNN_NBVAL_FRESH") == "1" or not sandbox.enabled():
            return None
        if self.box is None or not self.box.alive():
            try:                    # (not zygote.EXTRAS: only 03 and 04 import them, 1.3 s each)
                self.box = zygote.SandboxServer(None)
            except Exception:  # noqa: BLE001 - then nbval starts its kernels itself
                self.box = None
        return self.box

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item):
        """nbval starts a notebook's kernel in the setup of its first cell: from the server."""
        if type(item.parent).__name__ != "IPyNbFile" or getattr(item.parent, "kernel", None) is not None \
                or _variants(Path(str(item.parent.path)).stem) is None:     # the mock interview reads
            return (yield)                                                    # solutions/: not in a sandbox
        box = self._server()
        if box is None:
            return (yield)
        from jupyter_client.provisioning.factory import KernelProvisionerFactory

        from rnn_course import zygote
        factory = KernelProvisionerFactory.instance()
        saved = factory.default_provisioner_name, zygote._box
        factory.default_provisioner_name, zygote._box = "rnn-course-zygote", box
        try:
            return (yield)
        finally:
            factory.default_provisioner_name, zygote._box = saved

    def pytest_unconfigure(self, config):
        if self.box is not None:
            self.box.close()
            self.box = None

    @pytest.hookimpl(wrapper=True)
    def pytest_collect_file(self, file_path: Path, parent):
        collectors = yield
        for col in collectors or []:
            if type(col).__name__ != "IPyNbFile" or file_path.parent.name != "solutions":
                continue
            module = _variants(file_path.stem)
            if module is None or not hasattr(module, "check_experiment"):
                continue
            cells = col.collect

            def collect(cells=cells, col=col, module=module):
                yield from cells()
                yield ExperimentCheck.from_parent(col, name="experiment", module=module)
            col.collect = collect
        return collectors
