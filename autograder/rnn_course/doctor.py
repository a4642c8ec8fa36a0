"""`rnn-course doctor` (is this machine ready?) and `rnn-course setup-lab` (configure JupyterLab)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# nbgrader's exchange-based pages need a shared exchange directory and an instructor: off for a
# single learner. Validate stays on.
LAB_OFF = ["@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list"]
SERVER_OFF = ["nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list"]


def _jupyter(*args) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("jupyter")
    return subprocess.run([str(exe), *args], capture_output=True, text=True)


def setup_lab() -> int:
    """Turn the exchange-based nbgrader extensions off in this environment (sys-prefix level)."""
    ok = True
    for ext in LAB_OFF:
        r = _jupyter("labextension", "disable", "--level=sys_prefix", ext)
        ok &= r.returncode == 0
        print(f"lab extension {ext}: {'disabled' if r.returncode == 0 else 'FAILED ' + r.stderr.strip()[-200:]}")
    for ext in SERVER_OFF:
        r = _jupyter("server", "extension", "disable", "--sys-prefix", ext)
        ok &= r.returncode == 0
        print(f"server extension {ext}: {'disabled' if r.returncode == 0 else 'FAILED ' + r.stderr.strip()[-200:]}")
    return 0 if ok else 1


def checks():
    """Yield (name, ok, detail, fix)."""
    v = sys.version_info
    yield ("Python >= 3.10", v >= (3, 10), sys.version.split()[0],
           "install Python 3.10 or newer and run `make lab` again")
    try:
        import torch
        yield ("torch (CPU)", True, f"{torch.__version__}, {torch.get_num_threads()} threads", "")
    except Exception as e:  # noqa: BLE001
        yield ("torch (CPU)", False, f"{type(e).__name__}: {e}", "run `make install` (it installs the CPU wheel)")
    try:
        import nbgrader
        yield ("nbgrader", True, nbgrader.__version__, "")
    except Exception as e:  # noqa: BLE001
        yield ("nbgrader", False, str(e), "run `make install`")
    r = _jupyter("labextension", "list")
    text = r.stdout + r.stderr
    has = "@jupyter/nbgrader" in text
    yield ("nbgrader JupyterLab extension", has, "installed" if has else "not found",
           "run `make install`; then `rnn-course setup-lab`")
    disabled = [e for e in LAB_OFF if e in text]
    yield ("exchange pages off (assignment/course list)", len(disabled) == len(LAB_OFF),
           "off" if len(disabled) == len(LAB_OFF) else "still on (they show errors without an exchange)",
           "run `rnn-course setup-lab`")
    try:
        import helpers
        yield ("helpers package", True, os.path.dirname(helpers.__file__), "")
    except Exception as e:  # noqa: BLE001
        yield ("helpers package", False, str(e), "run `make install` (pip install -e .)")
    from .paths import COURSE, SOLUTIONS
    try:
        with tempfile.NamedTemporaryFile(dir=COURSE, prefix=".doctor-"):
            pass
        yield ("write access to course/", True, str(COURSE), "")
    except OSError as e:
        yield ("write access to course/", False, str(e), f"make {COURSE} writable (chmod u+w) or clone the course again")
    n = len(list(COURSE.glob("[0-9][0-9]_*.ipynb")))
    m = len(list(SOLUTIONS.glob("[0-9][0-9]_*.ipynb")))
    yield ("course notebooks", n == m and n > 0, f"{n} in course/, {m} in solutions/",
           "run `rnn-course release` to regenerate course/")


def doctor() -> int:
    failed = 0
    for name, ok, detail, fix in checks():
        print(f"[{'OK' if ok else 'FAIL':>4}] {name}: {detail}")
        if not ok:
            failed += 1
            print(f"       fix: {fix}")
    print("all good: open course/00_index.ipynb" if not failed else f"{failed} problem(s) found")
    return 1 if failed else 0
