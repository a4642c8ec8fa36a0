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
import re
import signal
import subprocess
import sys
import time

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.provisioning import LocalProvisioner

PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "matplotlib_inline.backend_inline",
           "numpy", "torch", "torch.nn", "torch.nn.functional", "torch.nn.utils.rnn",
           "matplotlib", "matplotlib.pyplot", "matplotlib.patches", "helpers",
           # what a kernel's start imports besides (its debugger above all: 0.1 s of 0.2 s)
           "ipykernel.debugger", "IPython.core.completerlib", "IPython.core.debugger", "IPython.core.oinspect",
           "IPython.extensions.storemagic", "IPython.utils.wildcard", "numpy.testing", "psutil", "sqlite3",
           "tornado.gen", "tornado.locks", "tornado.queues", "tornado.platform.asyncio", "pdb", "faulthandler",
           "http.server", "pydoc", "xmlrpc.server", "encodings.idna", "encodings.latin_1", "resource",
           # what every notebook's first cells import lazily (numpy 2 loads numpy.random on first use)
           "numpy.random", "encodings.unicode_escape")
# What torch imports the first time a notebook calls backward() with a gradient or steps an
# optimizer (sympy and torch._dynamo: 1.1-1.6 s in each such kernel, 1.8 s once here). Preloaded
# only where a batch holds enough of the notebooks that do (``needs_extras``): a server for one
# check would pay more than it saves.
EXTRAS = ("torch.fx.experimental.symbolic_shapes", "torch._dynamo")
_EXTRAS_USE = re.compile(r"\.backward\([^)]|\boptim\.\w")

_server_path0: str | None = None      # sys.path[0] of the fork server (its cwd), not a kernel's
_current: "Zygote | None" = None      # the zygote of this grading job, until a kernel takes it


def preload(extras: bool = False) -> None:
    """Import what every grading kernel imports (in the fork server, once); with ``extras``,
    also EXTRAS."""
    global _server_path0
    _server_path0 = sys.path[0] if sys.path else None
    for name in PRELOAD + (EXTRAS if extras else ()):
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


_needs: dict = {}


def needs_extras(stem: str) -> bool:
    """Do the cells grading runs in notebook ``stem`` (its solution's, hidden tests included;
    not experiments or demos) import EXTRAS when they run? Read from the source, so a guess:
    a wrong one costs time, never a score."""
    if stem not in _needs:
        from .engine import is_demo, is_experiment
        from .paths import SOLUTIONS
        try:
            cells = json.loads((SOLUTIONS / f"{stem}.ipynb").read_text("utf-8"))["cells"]
            src = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                            for c in cells if c.get("cell_type") == "code"
                            and not is_experiment(c) and not is_demo(c))
            _needs[stem] = bool(_EXTRAS_USE.search(src))
        except (OSError, ValueError, KeyError, TypeError):
            _needs[stem] = False
    return _needs[stem]


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
    try:
        os.setsid()                                     # like jupyter_client: the kernel's own session
        chunks = []
        while chunk := os.read(pipe, 1 << 16):
            chunks.append(chunk)
        os.close(pipe)
        if not chunks:                                  # the job ended without a kernel
            os._exit(0)
        spec = json.loads(b"".join(chunks))
    except BaseException:  # noqa: BLE001
        os._exit(1)
    _run_kernel(spec)


def _run_kernel(spec: dict) -> None:
    """Become the kernel described by ``spec`` (argv, env, cwd) in this process; never returns."""
    code = 0
    try:
        atexit._clear()                                 # the server's exit hooks are not the kernel's
        os.environ.clear()
        os.environ.update(spec["env"])
        if spec["cwd"]:
            os.chdir(spec["cwd"])
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        if spec.get("quiet"):                           # no descriptor of the server stays open
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
        if sys.path and sys.path[0] in ("", _server_path0):
            del sys.path[0]                             # what ipykernel_launcher does with its own entry
        argv = _kernel_args(spec["argv"])
        sys.argv = ["ipykernel_launcher"] + argv
        from . import guard
        guard.arm()                                     # before any learner code runs
        from ipykernel import kernelapp
        kernelapp.launch_new_instance(argv=argv)
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


def _kernel_args(argv: list) -> list:
    """The ipykernel arguments of a kernel command line (python -m ipykernel_launcher ARGS)."""
    for i, a in enumerate(argv):
        if a in ("ipykernel_launcher", "rnn_course.zygote") and i >= 1 and argv[i - 1] == "-m":
            rest = argv[i + 1:]
            return [x for x in rest if x != "--kernel"]
    return argv[1:]


def fork_for_job() -> None:
    """Called in a grading job's process first thing: fork its kernel-to-be (unsandboxed only)."""
    global _current
    if _box is None and "ipykernel.kernelapp" in sys.modules:
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
    if z is None or not _is_ipykernel(cmd):
        if z is not None:
            z.close_pipe()
        return None
    return z


def _is_ipykernel(cmd: list) -> bool:
    return cmd[1:3] == ["-m", "ipykernel_launcher"] and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)


# --- the sandbox (rnn_course.sandbox): one pre-forking kernel server per worker slot ------------

_box: "SandboxServer | None" = None    # this worker slot's sandbox (set in the fork server)
_fresh_sandbox = False                  # a job in a fresh interpreter: run its kernel under bwrap
_memory_mb: float | None = None         # ... in a memory cgroup of this size, where one can be made
_fresh_cages: list | None = None        # ... kept here, for worker.main to read and remove


class SandboxServer:
    """``python -m rnn_course.zygote --serve`` inside bubblewrap, seen from the grader.

    It imports what every kernel imports once, then forks one kernel per request (it becomes the
    kernel: new session, the job's scratch folder, a short allow-listed environment, no file
    descriptor of the server). Between jobs, ``reset()`` kills every process in the sandbox but
    the server (kill(-1) in its PID namespace) and empties the scratch folders. The server makes
    itself non-dumpable, so a kernel (same uid) cannot ptrace it or read its memory.
    """

    def __init__(self, memory_mb: float | None = None, wait: bool = True, extras: bool = False):
        """Start the server under bwrap; with ``wait`` False, return at once and let ``ready()``
        wait for it (its imports then overlap with the caller's own); ``extras``: see preload."""
        from . import sandbox
        self.cage, self.memory_mb = None, memory_mb
        self.root = sandbox.scratch_root()
        r, w = os.pipe()
        self.proc = subprocess.Popen(sandbox.bwrap_argv(str(self.root)) + ["--info-fd", str(w), sys.executable,
                                                                           "-m", "rnn_course.zygote", "--serve"]
                                     + (["--extras"] if extras else []),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     pass_fds=[w], env=sandbox.kernel_env(dict(os.environ), str(self.root)),
                                     cwd=str(self.root), text=True)
        os.close(w)
        self._info = r
        self.init_pid = self.server_pid = None
        self.fingerprints = None                        # guard.fingerprints(), taken at its clean start
        if wait:
            self.ready()

    def ready(self) -> "SandboxServer":
        """Wait until the server has preloaded; RuntimeError if it did not start."""
        if self._info is None:
            return self
        with os.fdopen(self._info) as fh:
            info = fh.read()
        self._info = None
        try:
            self.init_pid = int(json.loads(info)["child-pid"])
        except (ValueError, KeyError):
            self.init_pid = None
        line = self.proc.stdout.readline()              # "ready PID FINGERPRINTS" once it has preloaded
        words = line.split(" ", 2)
        self.server_pid = self._host_pid(int(words[1])) if line.startswith("ready") and len(words) > 1 else None
        try:
            self.fingerprints = json.loads(words[2]) if len(words) > 2 else None
        except ValueError:
            self.fingerprints = None
        if self.server_pid is None:
            self.close()
            raise RuntimeError("the sandboxed kernel server did not start")
        if self.memory_mb:
            self.cage = _cage(self.proc.pid, self.memory_mb)
        return self

    def limit_hits(self) -> int:
        """How often this sandbox reached its memory cgroup's limit (OOM kills included)."""
        return self.cage.limit_hits() if self.cage is not None else 0

    def reset_peak(self) -> None:
        if self.cage is not None:
            self.cage.reset_peak()

    def _host_pid(self, ns_pid: int, parent: int | None = None) -> int | None:
        """The host pid of the process that has ``ns_pid`` in the sandbox's PID namespace."""
        import psutil
        try:
            kids = psutil.Process(parent or self.init_pid).children(recursive=True)
        except psutil.Error:
            return None
        for k in kids:
            try:
                with open(f"/proc/{k.pid}/status") as fh:
                    nspid = next(line.split()[1:] for line in fh if line.startswith("NSpid:"))
            except (OSError, StopIteration):
                continue
            if len(nspid) >= 2 and int(nspid[1]) == ns_pid:
                return k.pid
        return None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _ask(self, request: dict, timeout: float = 30.0) -> str:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline()

    def scratch(self) -> str:
        import tempfile
        return tempfile.mkdtemp(prefix="j", dir=self.root)

    def launch(self, cmd: list, env: dict, scratch: str) -> "SandboxedKernel":
        from . import sandbox
        reply = self._ask({"argv": list(cmd), "env": sandbox.kernel_env(env, scratch), "cwd": scratch})
        if not reply.startswith("pid"):
            raise RuntimeError("the sandboxed kernel server did not start a kernel")
        host = self._host_pid(int(reply.split()[1]), self.server_pid)
        if host is None:
            raise RuntimeError("the sandboxed kernel could not be found")
        return SandboxedKernel(host)

    def job_processes(self) -> list:
        """Every process in the sandbox that belongs to the current job (not the server itself)."""
        import psutil
        try:
            procs = psutil.Process(self.init_pid).children(recursive=True)
        except psutil.Error:
            return []
        return [p for p in procs if p.pid != self.server_pid]

    def reset(self) -> None:
        """Between jobs: kill every job process in the sandbox, empty the scratch folders."""
        import shutil
        if self.alive():
            try:
                if not self._ask({"reset": True}).startswith("ok"):
                    self.close()
            except (OSError, ValueError):
                self.close()
        for p in self.job_processes():                  # should be none; the server may be gone
            try:
                p.kill()
            except Exception:  # noqa: BLE001
                pass
        for child in list(self.root.iterdir()) if self.root.exists() else []:
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop the server: end of input, then kill what is left (the server exits without
        Python's slow shutdown, and nothing in the sandbox has anything to save)."""
        import shutil
        if self._info is not None:
            os.close(self._info)
            self._info = None
        if self.proc is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self.proc.kill()                        # bwrap: its init and every process go with it
                self.proc.wait()
            self.proc = None
        if self.cage is not None:
            self.cage.close()
            self.cage = None
        shutil.rmtree(self.root, ignore_errors=True)


def _cage(pid: int, memory_mb: float):
    """Put bwrap ``pid`` and all it started in a memory cgroup of its own: a hard limit of
    ``memory_mb`` on top of what the sandbox holds now (before any learner code runs)."""
    from .cgroup import MemoryCage
    cage = MemoryCage.create()
    if cage is None:
        return None
    if not cage.add_tree(pid) or not cage.set_limit(cage.usage_mib() + memory_mb):
        cage.close()
        return None
    return cage


class SandboxedKernel:
    """A Popen-like handle on a kernel that runs in the sandbox (it is not our child)."""

    def __init__(self, pid: int, popen: subprocess.Popen | None = None):
        import psutil
        self.pid, self._popen, self.returncode = pid, popen, None
        self.stdin = self.stdout = self.stderr = None
        try:
            self._ps = psutil.Process(pid)
        except psutil.Error:
            self._ps = None

    def poll(self) -> int | None:
        import psutil
        if self.returncode is None:
            if self._popen is not None and self._popen.poll() is not None:
                self.returncode = self._popen.returncode
            else:
                try:
                    gone = self._ps is None or not self._ps.is_running() or self._ps.status() == psutil.STATUS_ZOMBIE
                except psutil.Error:
                    gone = True
                if gone:
                    self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout=None) -> int:
        t0 = time.monotonic()
        while self.poll() is None:
            if timeout is not None and time.monotonic() - t0 > timeout:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.02)
        if self._popen is not None:
            self._popen.wait()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        self.send_signal(signal.SIGKILL)
        if self._popen is not None and self._popen.poll() is None:
            self._popen.kill()

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _prctl(option: int, value: int) -> None:
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38


def serve(extras: bool = False) -> int:
    """Inside the sandbox: preload, then fork one kernel per request line (JSON) on stdin."""
    preload(extras)
    _prctl(PR_SET_DUMPABLE, 0)                          # kernels (same uid) cannot ptrace the server
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)       # kernels that exit are reaped at once
    try:                                                # taken now, before any job exists
        from . import guard
        fps = guard.fingerprints()
    except Exception:  # noqa: BLE001 - then the grader takes them itself
        fps = None
    print("ready", os.getpid(), json.dumps(fps), flush=True)
    for line in sys.stdin:
        try:
            req = json.loads(line)
        except ValueError:
            break
        if req.get("reset"):
            _kill_all_but_me()
            _empty(("/tmp", "/dev/shm"))                # the sandbox's tmpfs: nothing passes to the next job
            print("ok", flush=True)
            continue
        r, w = os.pipe()
        if os.fork() == 0:                              # the job's own user and PID namespace
            try:
                os.close(r)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _job_namespace()
            except BaseException:  # noqa: BLE001 - no kernel; the server replies "pid 0"
                os._exit(1)
            kernel = os.fork()
            if kernel == 0:                             # PID 1 of the job: all its processes die with it
                os.close(w)
                _drop_capabilities()
                _prctl(PR_SET_DUMPABLE, 1)
                try:
                    os.setsid()
                except OSError:
                    pass
                _run_kernel(dict(req, quiet=True))      # never returns
            os.write(w, str(kernel).encode())
            os.close(w)
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            try:
                os.waitpid(kernel, 0)
            except ChildProcessError:
                pass
            os._exit(0)
        os.close(w)
        with os.fdopen(r) as fh:
            kernel = fh.read().strip()
        print("pid", kernel or 0, flush=True)
    _kill_all_but_me()
    return 0


CLONE_NEWUSER, CLONE_NEWPID = 0x10000000, 0x20000000


def _job_namespace() -> None:
    """A user and PID namespace for one job inside the sandbox (its first child is its PID 1):
    the job's processes cannot see or signal the server, and die when the kernel does."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0:
        raise OSError(ctypes.get_errno(), "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as fh:
            fh.write(text)


def _drop_capabilities() -> None:
    """The creator of a user namespace holds every capability in it: give them all up."""
    import ctypes

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()) != 0:
        os._exit(1)                                      # never run learner code with capabilities
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


def _empty(folders) -> None:
    """Delete everything in ``folders`` (the sandbox's private tmpfs mounts), whatever its mode,
    without crossing into another filesystem: a checkout or venv under /tmp is bound read-only
    into the sandbox's /tmp (sandbox.bwrap_argv), and walking it (a venv holds tens of thousands
    of files) cost 0.6 s a job for nothing; the job's scratch folder, bound from the grader's
    side, is emptied there."""
    import stat

    for folder in folders:
        try:
            dev = os.lstat(folder).st_dev
        except OSError:
            continue
        below = []
        for root, dirs, files in os.walk(folder):
            keep = []
            for d in dirs:
                path = os.path.join(root, d)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                if stat.S_ISLNK(st.st_mode):
                    files.append(d)                      # a link: removed, never followed
                elif st.st_dev == dev:                   # not a mount: emptied, then removed
                    try:
                        os.chmod(path, 0o700)
                    except OSError:
                        pass
                    keep.append(d)
            dirs[:] = keep
            for f in files:
                try:
                    os.unlink(os.path.join(root, f))
                except OSError:
                    pass
            below += [os.path.join(root, d) for d in keep]
        for path in reversed(below):                     # the deepest first
            try:
                os.rmdir(path)
            except OSError:
                pass


def _kill_all_but_me() -> None:
    """Kill every process of this PID namespace except this one and its init; wait until gone."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    me = os.getpid()
    for _ in range(250):
        others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
        alive = []
        for p in others:
            try:
                with open(f"/proc/{p}/stat") as fh:
                    if fh.read().rsplit(")", 1)[1].split()[0] != "Z":
                        alive.append(p)
            except OSError:
                continue
        if not alive:
            return
        time.sleep(0.01)


def kernel_main(argv: list) -> int:
    """``python -m rnn_course.zygote --kernel ARGS``: arm the guard, then run ipykernel."""
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    from . import guard
    guard.arm()
    from ipykernel import kernelapp
    sys.argv = ["ipykernel_launcher"] + argv
    kernelapp.launch_new_instance(argv=argv)
    return 0


class ZygoteProvisioner(LocalProvisioner):
    """jupyter_client provisioner for grading kernels.

    In a sandboxed worker slot the kernel is forked by the slot's sandbox server; in a job of
    its own (a fresh interpreter) it is started under bwrap; unsandboxed, it is this job's
    pre-forked zygote when there is one. Sandboxed kernels talk over IPC sockets in their
    scratch folder (the sandbox has no network). Every kernel arms rnn_course.guard first.
    """

    scratch = None

    async def pre_launch(self, **kwargs):
        from . import sandbox
        km = self.parent
        if km is not None and (_box is not None or (_fresh_sandbox and sandbox.enabled())):
            import tempfile
            self.scratch = _box.scratch() if _box is not None else tempfile.mkdtemp(prefix="rnn-sbx-")
            km.transport = "ipc"
            km.cache_ports = False
            km.ip = os.path.join(self.scratch, "k")
            km.connection_file = os.path.join(self.scratch, "kernel.json")
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd, **kwargs):
        env = kwargs.get("env") or dict(os.environ)
        if self.scratch is not None and _is_ipykernel(cmd):
            if _box is not None:
                self.process = _box.launch(cmd, env, self.scratch)
            else:
                from . import sandbox
                argv = sandbox.bwrap_argv(self.scratch) + [cmd[0], "-m", "rnn_course.zygote", "--kernel"] + cmd[3:]
                popen = subprocess.Popen(argv, env=sandbox.kernel_env(env, self.scratch), cwd=self.scratch,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, close_fds=True)
                if _memory_mb and _fresh_cages is not None:     # the kernel has run no cell yet
                    cage = _cage(popen.pid, _memory_mb)
                    if cage is not None:
                        _fresh_cages.append(cage)
                self.process = SandboxedKernel(_find_kernel(popen), popen)
            self.pid = self.pgid = self.process.pid
            self.cwd = self.scratch
            return self.connection_info
        z = _take(cmd)
        if z is None:
            if _is_ipykernel(cmd):                      # arm the guard in a kernel we start ourselves
                cmd = [cmd[0], "-m", "rnn_course.zygote", "--kernel"] + list(cmd[3:])
            return await super().launch_kernel(cmd, **kwargs)
        self.process = z.start(cmd, kwargs.get("env"), kwargs.get("cwd"))
        self.pid = self.pgid = z.pid                    # the zygote leads its own session
        self.cwd = kwargs.get("cwd", os.getcwd())
        return self.connection_info

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel and wait (briefly) until it is gone, so jupyter_client's first check
        finds it dead instead of sleeping its 0.1 s poll interval."""
        import asyncio
        await super().kill(restart)
        for _ in range(100):
            if self.process is None or self.process.poll() is not None:
                return
            await asyncio.sleep(0.005)

    async def send_signal(self, signum: int) -> None:
        await super().send_signal(signum)
        if signum == signal.SIGINT and self.process is not None:
            import asyncio
            self._watch = asyncio.ensure_future(self._kill_if_still_busy())

    async def _kill_if_still_busy(self, grace: float = 3.0, window: float = 1.0) -> None:
        """An interrupt the kernel ignores (a loop that ignores SIGINT): kill the kernel, so the
        job ends as a timeout instead of waiting for output that never comes."""
        import asyncio

        import psutil
        await asyncio.sleep(grace)
        try:
            p = psutil.Process(self.pid)
            t0 = sum(p.cpu_times()[:2])
            await asyncio.sleep(window)
            busy = (sum(p.cpu_times()[:2]) - t0) / window
        except psutil.Error:
            return
        if busy > 0.5 and self.process is not None:
            print("the kernel ignored the interrupt after a cell timeout: killed", file=sys.stderr)
            await self.kill()

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart)
        if self.scratch is not None and _box is None and not restart:
            import shutil
            shutil.rmtree(self.scratch, ignore_errors=True)


class GradingKernelClient(AsyncKernelClient):
    """The grading job's kernel client: ready as soon as the kernel has answered kernel_info
    and IOPub is connected: the kernel welcomed this client's subscription (``iopub_welcome``,
    ipykernel 7) or announced on IOPub that it is idle after the request. jupyter_client's own
    wait ends with a fixed 0.2 s wait for IOPub to stay silent; a client that waited for the idle
    status alone missed it about every other start (the subscription was not through yet) and
    asked again 0.2 s later."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        from queue import Empty
        deadline = time.time() + (timeout if timeout is not None else float("inf"))
        idle: set = set()                           # requests the kernel has announced idle after
        self._welcomed = False
        while True:
            msg_id = self.kernel_info()
            reply = None
            end = time.monotonic() + 1.0
            while reply is None and (left := end - time.monotonic()) > 0:
                try:
                    msg = await self.shell_channel.get_msg(timeout=left)
                except Empty:
                    break
                if msg.get("parent_header", {}).get("msg_id") == msg_id:    # not an older request's
                    reply = msg
            if reply is not None and reply.get("msg_type") == "kernel_info_reply" \
                    and await self._idle_after(msg_id, idle, 0.05):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.time() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _idle_after(self, msg_id, idle: set, wait: float) -> bool:
        """Read IOPub until the kernel's welcome or its idle status for request ``msg_id``
        (``idle`` keeps every request seen idle); False when neither comes within ``wait``
        seconds (IOPub was not connected yet when the status was sent: ask again)."""
        from queue import Empty
        end = time.monotonic() + wait
        while not self._welcomed and msg_id not in idle and (left := end - time.monotonic()) > 0:
            try:
                msg = await self.iopub_channel.get_msg(timeout=left)
            except Empty:
                return False
            if msg.get("msg_type") == "iopub_welcome":
                self._welcomed = True
            elif msg.get("msg_type") == "status" and msg["content"].get("execution_state") == "idle":
                idle.add(msg.get("parent_header", {}).get("msg_id"))
        return self._welcomed or msg_id in idle




def _find_kernel(popen: subprocess.Popen) -> int:
    """The host pid of the kernel bwrap started (bwrap -> its init -> the kernel)."""
    import psutil
    for _ in range(500):
        try:
            for p in psutil.Process(popen.pid).children(recursive=True):
                if p.name() != "bwrap":
                    return p.pid
        except psutil.Error:
            break
        if popen.poll() is not None:
            break
        time.sleep(0.01)
    return popen.pid


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        code = serve(extras="--extras" in sys.argv[2:])
        sys.stdout.flush()
        os._exit(code)                                  # no interpreter shutdown: ~1 s with torch loaded
    if sys.argv[1:2] == ["--kernel"]:
        sys.exit(kernel_main(sys.argv[2:]))
