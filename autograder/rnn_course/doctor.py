"""`rnn-course doctor` (is this machine ready?) and `rnn-course setup-lab` (configure JupyterLab)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# nbgrader's exchange-based pages need a shared exchange directory and an instructor, and its
# instructor-only UI (Create Assignment, Formgrader; the formgrader also logs an [E] line when the
# course tree is outside the server root): all off for a single learner. Validate stays on.
LAB_OFF = ["@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list",
           "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader"]
SERVER_OFF = ["nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list",
              "nbgrader.server_extensions.formgrader"]


def _jupyter(*args) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("jupyter")
    return subprocess.run([str(exe), *args], capture_output=True, text=True)


def _etc() -> Path:
    return Path(sys.prefix) / "etc" / "jupyter"


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def lab_state() -> tuple[list[str], list[str]]:
    """(lab plugins still on, server extensions still on) among the ones a learner does not need.

    Off counts at either level: the project's config folder (autograder/, tracked, which `make lab`
    and the browser test pass as JUPYTER_CONFIG_PATH) or this environment (`rnn-course setup-lab`,
    which Binder's postBuild runs)."""
    from .paths import AUTOGRADER
    pages = [_read(d / "labconfig" / "page_config.json").get("disabledExtensions", {})
             for d in (AUTOGRADER, _etc())]
    lab_on = [e for e in LAB_OFF if not any(p.get(e) for p in pages)]
    server_on = []
    for ext in SERVER_OFF:
        files = [AUTOGRADER / "jupyter_server_config.json", _etc() / "jupyter_server_config.d" / f"{ext}.json"]
        if not any(_read(f).get("ServerApp", {}).get("jpserver_extensions", {}).get(ext) is False for f in files):
            server_on.append(ext)
    return lab_on, server_on


def setup_lab() -> int:
    """Turn nbgrader's exchange and instructor pages off in this environment (sys-prefix level),
    by writing the same files `jupyter labextension disable` and `jupyter server extension
    disable --sys-prefix` write (without their minute-long start on a busy machine)."""
    try:
        page_path = _etc() / "labconfig" / "page_config.json"
        page = _read(page_path)
        page.setdefault("disabledExtensions", {}).update({e: True for e in LAB_OFF})
        page_path.parent.mkdir(parents=True, exist_ok=True)
        page_path.write_text(json.dumps(page, indent=2))
        for ext in LAB_OFF:
            print(f"lab extension {ext}: disabled")
        for ext in SERVER_OFF:
            f = _etc() / "jupyter_server_config.d" / f"{ext}.json"
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {ext: False}}}, indent=2))
            print(f"server extension {ext}: disabled")
    except OSError as e:
        print(f"setup-lab FAILED: {e}")
        return 1
    return 0


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
    ext_dir = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader"
    has = (ext_dir / "package.json").exists()
    yield ("nbgrader JupyterLab extension", has, "installed" if has else f"not found in {ext_dir.parent}",
           "run `make install`")
    lab_on, server_on = lab_state()
    yield ("nbgrader instructor and exchange pages off", not lab_on and not server_on,
           "off (Validate stays)" if not lab_on and not server_on
           else "still on: " + ", ".join(lab_on + server_on) + " (they show errors for a single learner)",
           "run `rnn-course setup-lab` (`make lab` does it)")
    try:
        import helpers
        yield ("helpers package", True, os.path.dirname(helpers.__file__), "")
    except Exception as e:  # noqa: BLE001
        yield ("helpers package", False, str(e), "run `make install` (pip install -e .)")
    from .paths import COURSE, SOLUTIONS, WORKSPACE
    target = WORKSPACE if WORKSPACE.exists() else WORKSPACE.parent
    try:
        with tempfile.NamedTemporaryFile(dir=target, prefix=".doctor-"):
            pass
        yield ("write access for workspace/", True, str(WORKSPACE) + ("" if WORKSPACE.exists()
                                                                     else " (created by `make lab`)"), "")
    except OSError as e:
        yield ("write access for workspace/", False, str(e),
               f"make {target} writable (chmod u+w) or clone the course again")
    released = sorted(p.stem for p in COURSE.glob("[0-9][0-9]_*.ipynb") if p.name != "00_index.ipynb")
    sources = sorted(p.stem for p in SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    missing = [s for s in sources if s not in released]
    index = (COURSE / "00_index.ipynb").exists()
    yield ("course notebooks", bool(sources) and not missing and index,
           f"{len(released)} in course/ for {len(sources)} in solutions/, index "
           + ("present" if index else "missing") + (f"; missing: {', '.join(missing)}" if missing else ""),
           "clone the course again (course/ is part of it), or `rnn-course release`")


def doctor() -> int:
    failed = 0
    for name, ok, detail, fix in checks():
        print(f"[{'OK' if ok else 'FAIL':>4}] {name}: {detail}")
        if not ok:
            failed += 1
            print(f"       fix: {fix}")
    print("all good: run `make lab` and open 00_index.ipynb (your copies live in workspace/)" if not failed else f"{failed} problem(s) found")
    return 1 if failed else 0
