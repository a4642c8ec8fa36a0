"""Pre-forked grading kernels: skip the interpreter start and the heavy imports of every kernel.

A grading kernel normally starts as a new interpreter that imports IPython, numpy, torch and
matplotlib again: about half of the time spent on a short notebook. The fork server
(rnn_course.worker --serve) imports them once (``preload``). Each grading job, the moment it is
forked and before it reads its job file (so the kernel's memory holds no nonce and no hidden
test), forks a ``Zygote``: a child that waits on a pipe. When nbgrader launches the kernel,
``ZygoteProvisioner`` sends the kernel's command line, environment and working directory down
the pipe, and the zygote becomes that kernel: a new session, a fresh IPython namespace, the
modules already in memory. Anything else (no fork server, another kernel) starts the usual way.
"""
from __future__ import annotations

import atexit
import importlib
import json
import os
import pkgutil
import signal
import sys
import time

from jupyter_client.provisioning import LocalProvisioner

PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "matplotlib_inline.backend_inline",
           "numpy", "torch", "torch.nn", "torch.nn.functional", "torch.nn.utils.rnn",
           "matplotlib", "matplotlib.pyplot", "matplotlib.patches", "helpers")

_server_path0: str | None = None      # sys.path[0] of the fork server (its cwd), not a kernel's
_current: "Zygote | None" = None      # the zygote of this grading job, until a kernel takes it


def preload() -> None:
    """Import what every grading kernel imports (in the fork server, once)."""
    global _server_path0
    _server_path0 = sys.path[0] if sys.path else None
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module that fails here is imported by the kernel itself
            continue
    helpers = sys.modules.get("helpers")
    for info in pkgutil.iter_modules(getattr(helpers, "__path__", [])):
        try:
            importlib.import_module(f"helpers.{info.name}")
        except Exception:  # noqa: BLE001
            continue


class Zygote:
    """A forked child that becomes one kernel on request; Popen-like once it has."""

    def __init__(self):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(w)
            _become_kernel(r)                           # never returns
        os.close(r)
        self.pid, self._pipe, self.returncode = pid, w, None
        self.stdin = self.stdout = self.stderr = None

    def start(self, cmd: list, env: dict | None, cwd) -> "Zygote":
        spec = {"argv": list(cmd), "env": dict(env if env is not None else os.environ),
                "cwd": str(cwd) if cwd else None}
        data = json.dumps(spec).encode()
        while data:
            data = data[os.write(self._pipe, data):]
        self.close_pipe()
        return self

    def close_pipe(self) -> None:
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout=None) -> int:
        if self.returncode is None:
            try:
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                self.returncode = -1
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _become_kernel(pipe: int) -> None:
    """In the zygote: wait for a kernel command line, then run that kernel in this process."""
    code = 0
    try:
        os.setsid()                                     # like jupyter_client: the kernel's own session
        atexit._clear()                                 # the server's exit hooks are not the kernel's
        chunks = []
        while chunk := os.read(pipe, 1 << 16):
            chunks.append(chunk)
        os.close(pipe)
        if not chunks:                                  # the job ended without a kernel
            os._exit(0)
        spec = json.loads(b"".join(chunks))
        os.environ.clear()
        os.environ.update(spec["env"])
        if spec["cwd"]:
            os.chdir(spec["cwd"])
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        if sys.path and sys.path[0] in ("", _server_path0):
            del sys.path[0]                             # what ipykernel_launcher does with its own entry
        sys.argv = spec["argv"][2:]
        from ipykernel import kernelapp
        kernelapp.launch_new_instance(argv=spec["argv"][3:])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0
    except BaseException:  # noqa: BLE001 - reported on the job's log
        import traceback
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(code)


def fork_for_job() -> None:
    """Called in a grading job's process first thing: fork its kernel-to-be."""
    global _current
    if "ipykernel.kernelapp" in sys.modules:
        _current = Zygote()


def release() -> None:
    """The job is over: a zygote that never became a kernel exits (and is reaped)."""
    global _current
    z, _current = _current, None
    if z is not None:
        z.close_pipe()                                  # end of file: the zygote exits at once
        for _ in range(100):
            if z.poll() is not None:
                return
            time.sleep(0.02)
        z.kill()
        z.wait()


def _take(cmd: list) -> "Zygote | None":
    global _current
    z, _current = _current, None
    if z is None or cmd[1:3] != ["-m", "ipykernel_launcher"] or os.path.realpath(cmd[0]) != os.path.realpath(sys.executable):
        if z is not None:
            z.close_pipe()
        return None
    return z


class ZygoteProvisioner(LocalProvisioner):
    """jupyter_client provisioner that hands the kernel to this job's zygote when it has one."""

    async def launch_kernel(self, cmd, **kwargs):
        z = _take(cmd)
        if z is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = z.start(cmd, kwargs.get("env"), kwargs.get("cwd"))
        self.pid = self.pgid = z.pid                    # the zygote leads its own session
        self.cwd = kwargs.get("cwd", os.getcwd())
        return self.connection_info
