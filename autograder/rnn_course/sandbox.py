"""The grading kernel's sandbox: Debian's bubblewrap (``bwrap``), when this machine has it.

Every grading kernel, and everything it starts, runs with

- an unprivileged uid/gid (65534, "nobody") in a user namespace of its own;
- its own PID namespace: it sees and can signal only its own processes, and the grader kills
  them all when the job ends (nothing outlives the job);
- no network (an empty network namespace) and its own IPC and UTS namespaces;
- a filesystem that holds only what a kernel needs, read-only: the system directories, the
  Python installation, the virtual environment and the two packages ``helpers`` and
  ``rnn_course``. The repository itself (``solutions/``, ``autograder/work`` and its
  gradebooks), home folders, the submissions and the grader's job and result files are not
  there at all; ``/tmp`` is an empty private tmpfs. The only writable place is the job's own
  scratch folder, which is also where the kernel's ZeroMQ sockets live (IPC transport);
- no file descriptor of the grader (the kernel is forked from a server started with only two
  pipes, and closes them).

``status()`` says whether the sandbox works here (it runs ``bwrap ... true`` once); where it does
not (not Linux, no bwrap, no user namespaces) grading still works, unsandboxed, and
``warn_unsandboxed()`` says so once. ``RNN_COURSE_SANDBOX=0`` turns the sandbox off.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

UID = GID = 65534
_warned = False


def _package_dir(name: str) -> str | None:
    import importlib.util
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.realpath(list(spec.submodule_search_locations)[0])


def _read_only_paths() -> list[str]:
    """What a kernel may see (read-only): system, Python, venv, the helpers and grader packages."""
    paths = ["/usr", "/etc", "/opt"]
    for p in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))):
        paths.append(os.path.realpath(p))
    if os.path.isdir(os.path.join(sys.prefix, "bin")):
        paths.append(sys.prefix)                        # the venv itself (its bin/ are symlinks)
    for name in ("helpers", "rnn_course"):
        d = _package_dir(name)
        if d:
            paths.append(d)
    out = []
    for p in paths:
        if p and os.path.exists(p) and not any(p == q or p.startswith(q.rstrip("/") + "/") for q in out):
            out = [q for q in out if not q.startswith(p.rstrip("/") + "/")] + [p]
    return out


def bwrap_argv(scratch: str) -> list[str]:
    """bwrap's command line (without the command): ``scratch`` is the only writable folder."""
    argv = [shutil.which("bwrap") or "bwrap", "--unshare-user", "--uid", str(UID), "--gid", str(GID),
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", "grading"]
    for d in ("/bin", "/lib", "/lib64", "/lib32", "/sbin"):
        if os.path.islink(d):
            argv += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            argv += ["--ro-bind", d, d]
    # the empty /tmp and /run first: a venv or checkout that lives under /tmp (a CI clone) is
    # then bound on top of them instead of being hidden by them
    argv += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/run"]
    for p in _read_only_paths():
        argv += ["--ro-bind", p, p]
    argv += ["--bind", scratch, scratch, "--chdir", scratch]
    return argv


def kernel_env(env: dict, scratch: str) -> dict:
    """The environment a sandboxed kernel gets: a short allow-list, HOME in its scratch folder."""
    keep = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "MPLBACKEND", "PYTHONWARNINGS", "OMP_NUM_THREADS",
            "MKL_NUM_THREADS", "PYDEVD_DISABLE_FILE_VALIDATION", "JPY_SESSION_NAME", "PYTHONHASHSEED")
    out = {k: v for k, v in env.items() if k in keep}
    out.update(HOME=scratch, MPLCONFIGDIR=os.path.join(scratch, ".matplotlib"), TMPDIR=scratch,
               PYTHONDONTWRITEBYTECODE="1")
    return out


@lru_cache(maxsize=None)
def _probe() -> tuple[bool, str]:
    if os.environ.get("RNN_COURSE_SANDBOX", "1") == "0":
        return False, "RNN_COURSE_SANDBOX=0"
    if not sys.platform.startswith("linux"):
        return False, f"no bubblewrap sandbox on {sys.platform}"
    if not shutil.which("bwrap"):
        return False, "bubblewrap (bwrap) is not installed (Debian/Ubuntu: sudo apt-get install bubblewrap)"
    tmp = tempfile.mkdtemp(prefix="rnn-sbx-probe-")
    try:
        r = subprocess.run(bwrap_argv(tmp) + [sys.executable, "-c", "import os; print(os.getuid())"],
                           capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        return False, f"bwrap cannot run ({e})"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if r.returncode != 0 or r.stdout.strip() != str(UID):
        first = (r.stderr.strip().splitlines() or ["no output"])[-1][:200]
        return False, f"bwrap cannot create its namespaces here ({first}; are user namespaces enabled?)"
    return True, "bubblewrap"


def status() -> tuple[bool, str]:
    """(available, reason): whether grading kernels run in the sandbox on this machine."""
    return _probe()


def enabled(want: bool | None = None) -> bool:
    """Use the sandbox? ``want`` None means: when available; False: never."""
    return want is not False and status()[0]


def warn_unsandboxed(want: bool | None = None) -> None:
    """Print once per process that grading runs without the sandbox (and why)."""
    global _warned
    if _warned or want is False or status()[0]:
        return
    _warned = True
    print(f"note: grading without a sandbox ({status()[1]}): learner code runs with your permissions "
          "and can read or change your files; see autograder/README.md, 'Threat model'.", file=sys.stderr)


def scratch_root() -> Path:
    """A new folder for one worker slot's scratch folders (bound into its sandbox)."""
    return Path(tempfile.mkdtemp(prefix="rnn-sbx-"))
