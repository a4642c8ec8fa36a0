"""Attacks on the grader itself, one per class of the threat model (autograder/README.md).

All submissions are graded as one parallel batch, like tests/test_adversarial.py. Each attack
either forges a result, reaches another learner or the course, escapes the limits, stops the
batch, disables the guard or leaks hidden tests; honest learners with odd names or odd loops must
get their normal verdict. Where the attack needs the bubblewrap sandbox to fail, the test is
skipped when this machine has none (rnn_course.sandbox.status()).
"""
from __future__ import annotations

import os
import re
import socket
import uuid

import nbformat
import psutil
import pytest

import gradekit
from rnn_course.batch import Limits
from rnn_course.grading import grade_folder
from rnn_course.paths import ROOT, SOLUTIONS, WORK

STEM = "01_recurrence"
try:
    from rnn_course import sandbox
    SANDBOX, WHY = sandbox.status()
except ImportError:             # a grader without a sandbox module: every attack is expected to fail
    SANDBOX, WHY = True, ""
needs_sandbox = pytest.mark.skipif(not SANDBOX, reason=f"no sandbox here: {WHY}")
MARK = str(3000 + uuid.uuid4().int % 900)       # `sleep MARK`: a process that must not outlive the batch
WRONG_COUNT = "def count_parameters(D, H):\n    return D * H + H * H + 2 * H\n"
ZERO_SCAN = "def rnn_scan(step, h0, xs):\n    return np.zeros((len(xs), len(h0)))\n"


def base():
    return gradekit.filled(STEM)


def blank():
    return gradekit.released(STEM)


with_solution, index_of, insert_after = gradekit.with_solution, gradekit.index_of, gradekit.insert_after


# --- forged results -------------------------------------------------------------------------
FORGE_TOKENS = r'''
import glob, os, re, sys
_found = set()
_d = os.getcwd()
_dbs = glob.glob("/tmp/rnn-grade-*/gradebook.db")
for _ in range(8):
    _dbs += glob.glob(os.path.join(_d, "*.db"))
    _d = os.path.dirname(_d)
for _p in _dbs:
    try:
        _data = open(_p, "rb").read()
    except OSError:
        continue
    _found |= {" ".join(m).strip() for m in re.findall(rb"print\('([0-9a-f]{32})'(?:, '(\w+)')?\)", _data)
               for m in [tuple(x.decode() for x in m)]}

def _swallow(self, etype, value, tb, tb_offset=None):
    f = sys._getframe()
    while f is not None:                       # make the kernel reply "ok"
        r = f.f_locals.get("result")
        if r is not None and hasattr(r, "error_in_exec"):
            r.error_in_exec = None
        f = f.f_back
    for c in tb.tb_frame.f_code.co_consts:     # the token of the failing test cell
        if isinstance(c, str) and re.fullmatch("[0-9a-f]{32}", c):
            print(c)
    for t in _found:
        print(t)

get_ipython().set_custom_exc((BaseException,), _swallow)
'''

# the job's result file: through an inherited descriptor, or the job folder in /tmp
FIND_RESULT = r'''
import glob, os
def _result_paths():
    out = set()
    pids = [os.getpid()]
    try:
        p = os.getpid()
        for _ in range(6):
            p = int(open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[1])
            pids.append(p)
    except (OSError, ValueError, IndexError):
        pass
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                t = os.readlink(f"/proc/{pid}/fd/{fd}")
                if "result.json" in t:
                    out.add(t.split("result.json")[0] + "result.json")
        except OSError:
            pass
    out |= set(glob.glob("/tmp/rnn-job-*/result.json")) | {p[:-4] for p in glob.glob("/tmp/rnn-job-*/result.json.log")}
    return sorted(out)
'''

FORGE_RESULT = FIND_RESULT + r'''
import json, time
_fake = {"status": "ok", "message": "", "notes": [], "tasks": [
    {"task": t, "cell": "test_" + t, "score": s, "max_score": s, "manual": False, "passed": True, "reason": None}
    for t, s in [("rnn_scan", 3.0), ("count_parameters", 2.0), ("counter_weights", 3.0), ("quick_check", 1.0)]]}
_paths = _result_paths()
if _paths and os.fork() == 0:                   # a detached helper replaces the result after the worker
    os.setsid()
    if os.fork() == 0:
        _t0 = time.time()
        _seen = {}
        while time.time() - _t0 < 120:
            for _p in _paths:
                try:
                    _m = os.stat(_p).st_mtime_ns
                except OSError:
                    continue
                if _seen.get(_p) != _m:
                    _d = json.loads(open(_p).read()) if os.path.isfile(_p) else {}
                    if _d.get("tasks") != _fake["tasks"]:
                        open(_p, "w").write(json.dumps(_fake))
                    _seen[_p] = os.stat(_p).st_mtime_ns
            time.sleep(0.001)
        os._exit(0)
    os._exit(0)
'''

RESULT_DIR = FIND_RESULT + r'''
import shutil
for _p in _result_paths():
    try:
        if os.path.isfile(_p):
            os.unlink(_p)
        os.makedirs(_p, exist_ok=True)
    except OSError:
        pass
'''

KILL_ANCESTORS = r'''
import os, signal
_p = os.getpid()
_victims = []
for _ in range(8):
    try:
        _p = int(open(f"/proc/{_p}/stat").read().rsplit(")", 1)[1].split()[1])
        if _p <= 1:
            break
        if b"rnn_course" in open(f"/proc/{_p}/cmdline", "rb").read():
            _victims.append(_p)
    except (OSError, ValueError, IndexError):
        break
for _v in _victims:
    try:
        os.kill(_v, signal.SIGKILL)
    except OSError:
        pass
'''

# --- escaping the limits ----------------------------------------------------------------------
DAEMON = r'''
import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "MARK"])
    os._exit(0)
os.wait()
'''

TMPFS_MEMORY = r'''
import os, time
for _i in range(30):                           # 3 GB of files in the sandbox's own RAM-backed /tmp:
    with open(f"/tmp/fill-{_i}", "wb") as _fh:  # no process holds them, so no poll of processes sees them
        _fh.write(b"x" * (100 * 2**20))
time.sleep(3)
'''

DETACHED_MEMORY = r'''
import os, sys, time
_r, _w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.close(_r)
        _hog = []
        for _ in range(34):                    # 3.4 GB, 100 MB at a time, held
            _hog.append(bytearray(b"x") * (100 * 2**20))
        os.write(_w, b"full")
        time.sleep(60)
        os._exit(0)
    os._exit(0)
os.close(_w)
os.wait()
os.read(_r, 4)                                 # until the hog holds it all, or is killed (end of file):
time.sleep(1)                                  # however slowly a busy machine hands out pages
'''

# --- reaching others ------------------------------------------------------------------------
REACH = r'''
import os
for _p in VICTIMS:
    try:
        with open(_p, "a") as _fh:
            _fh.write(" ")
    except OSError:
        pass
for _p in TOUCH:
    try:
        os.utime(_p, (0, 0))
    except OSError:
        pass
'''

# --- isolation probe: count_parameters is right only inside a sandbox ---------------------------
PROBE = r'''
import os, socket

def _isolated():
    ok = os.getuid() == 65534
    ok &= not any(os.path.exists(p) for p in HIDDEN_PATHS)
    ok &= not [n for n in os.listdir("/tmp") if n.startswith(("rnn-job-", "rnn-grade-", "pytest"))]
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=2).close()
        ok = False
    except OSError:
        pass
    for fd in os.listdir("/proc/self/fd"):
        try:
            t = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        ok &= "result.json" not in t and "job.json" not in t and "gradebook" not in t
    for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            ok &= b"rnn_course.worker" not in open(f"/proc/{pid}/cmdline", "rb").read()
        except OSError:
            pass
    try:
        open(os.path.join(os.path.dirname(np.__file__), "rnn-probe"), "w").close()
        ok = False
    except OSError:
        pass
    return ok

_ISOLATED = _isolated()

def count_parameters(D, H):
    return D * H + H * H + H if _ISOLATED else 0
'''

# --- disabling the guard ----------------------------------------------------------------------
GUARD_ENTRY = ("import rnn_course.guard as _g\n_g.verify_and_restore = lambda *a, **k: None\n_g.verify = lambda *a, **k: None\n"
               "import helpers.checks as _hc\n_hc.check_equal = lambda *a, **k: None\ncheck_equal = _hc.check_equal")
GUARD_GLOBALS = ("import types, numpy, helpers.checks as _hc\n_fake = types.ModuleType('numpy')\n"
                 "_fake.__dict__.update(numpy.__dict__)\n"
                 "_fake.where = lambda c, a, b: numpy.zeros(numpy.shape(b))\n_hc.np = _fake")
GUARD_DEFAULTS = ("import helpers.checks as _hc\n_hc.check_close.__defaults__ = ('output', 1e9, 1e9, None)\n"
                  "_hc.check_close.__kwdefaults__ = None")
EVENTS_HOOK = ("_seen = []\nget_ipython().events.register('pre_run_cell', lambda info: _seen.append(info.raw_cell))")


def fake_hidden_block():
    nb = base()
    c = nb.cells[index_of(nb, "test_count_parameters")]
    c.source += "\n### BEGIN HIDDEN TESTS\nprint('my own hidden test')\n### END HIDDEN TESTS\n"
    return nb


# --- leaks ------------------------------------------------------------------------------------
LEAK_FRAME = '''def count_parameters(D, H):
    import sys, linecache
    src = "".join(linecache.getlines(sys._getframe(1).f_code.co_filename))
    if not src:
        src = open(sys._getframe(1).f_code.co_filename).read()
    hidden = src.split("BEGIN HIDDEN TESTS")[-1]
    raise ValueError(" ".join(hidden.split())[:2000])
'''
LEAK_CHECK = '''def count_parameters(D, H):
    import sys, linecache
    from helpers.checks import check_true
    src = "".join(linecache.getlines(sys._getframe(1).f_code.co_filename))
    hidden = src.split("BEGIN HIDDEN TESTS")[-1]
    check_true(False, " ".join(hidden.split())[:2000])
'''

SIGINT_LOOP = "import signal\n\ndef rnn_scan(step, h0, xs):\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        pass\n"
# a loop that never ends but sleeps: the same timeout and note, without a core spinning (the
# spinning kinds are sigint_loop here and infinite_loop in test_adversarial.py)
LOOP = "import time\n\ndef rnn_scan(step, h0, xs):\n    while True:\n        time.sleep(0.05)\n"


def make_cases(folder, victim, canaries, port):
    hidden_paths = [str(WORK), str(SOLUTIONS), str(folder), str(ROOT / "README.md")]
    return {
        # forged results
        "forge_tokens": (lambda: insert_after(blank(), "count_parameters", FORGE_TOKENS), "tampered", "zero"),
        "forge_result_file": (lambda: insert_after(blank(), "count_parameters", FORGE_RESULT), None, "zero"),
        # reaching others, escaping the limits, stopping the batch: one correct notebook that tries
        # them all (and whose count_parameters is right only inside the sandbox)
        "hostile_but_correct": (lambda: insert_after(
            with_solution(base(), "count_parameters", PROBE.replace("HIDDEN_PATHS", repr(hidden_paths))
                          .replace("PORT", str(port))),
            "count_parameters", "\n".join([                # in this order: killing the grader comes last
                REACH.replace("VICTIMS", repr([str(victim), str(canaries[0])]))
                .replace("TOUCH", repr([str(p) for p in canaries[1:]])),
                DAEMON.replace("MARK", MARK), RESULT_DIR, KILL_ANCESTORS])), "ok", "full"),
        "detached_memory": (lambda: insert_after(base(), "count_parameters", DETACHED_MEMORY), "memory", "zero"),
        "tmpfs_memory": (lambda: insert_after(base(), "count_parameters", TMPFS_MEMORY), "memory", "zero"),
        # disabling the guard
        "guard_entry": (lambda: insert_after(with_solution(base(), "count_parameters", WRONG_COUNT),
                                             "count_parameters", GUARD_ENTRY), "tampered", {"count_parameters": 0}),
        "guard_globals": (lambda: insert_after(with_solution(base(), "rnn_scan", ZERO_SCAN), "count_parameters",
                                               GUARD_GLOBALS), "tampered", {"rnn_scan": 0}),
        "guard_defaults": (lambda: insert_after(with_solution(base(), "rnn_scan", ZERO_SCAN), "count_parameters",
                                                GUARD_DEFAULTS), "tampered", {"rnn_scan": 0}),
        "events_hook": (lambda: insert_after(base(), "count_parameters", EVENTS_HOOK), "tampered",
                        {"count_parameters": 0, "counter_weights": "full"}),   # the hook is removed, then reported
        "fake_hidden_block": (fake_hidden_block, "tampered", "full"),
        # leaks
        "leak_frame": (lambda: with_solution(base(), "count_parameters", LEAK_FRAME), "ok", {"count_parameters": 0}),
        "leak_check": (lambda: with_solution(base(), "count_parameters", LEAK_CHECK), "ok", {"count_parameters": 0}),
        "loop_note": (lambda: with_solution(base(), "rnn_scan", LOOP), "timeout", {"rnn_scan": 0, "count_parameters": "full"}),
        # honest learners
        "Lee [group 2]": (base, "ok", "full"),
        "Kim * ?": (base, "ok", "full"),
        "sigint_loop": (lambda: with_solution(base(), "rnn_scan", SIGINT_LOOP), "timeout", {"rnn_scan": 0}),
        "folder_notebook": ("<dir>", "invalid_notebook", "zero"),
    }


SANDBOX_ONLY = {"forge_result_file", "hostile_but_correct", "detached_memory", "forge_tokens", "tmpfs_memory"}


def _cgroup() -> bool:
    try:
        from rnn_course.cgroup import MemoryCage
    except ImportError:         # a grader without memory cgroups: the tmpfs attack is expected to pass
        return True
    cage = MemoryCage.create()
    if cage is not None:
        cage.close()
    return cage is not None


CGROUP = _cgroup()
CGROUP_ONLY = {"tmpfs_memory"}


def _marked() -> list:
    out = []
    for p in psutil.process_iter(["cmdline"]):
        if (p.info["cmdline"] or [])[:2] == ["sleep", MARK]:
            out.append(p)
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from rnn_course.release import ensure_gradebook
    # every notebook, not only STEM: on a fresh clone, tests on other workers would otherwise
    # still be adding theirs to the gradebook (a canary below) while this batch runs
    ensure_gradebook()
    folder = tmp_path_factory.mktemp("attacks")
    victim = folder / "victim" / f"{STEM}.ipynb"
    victim.parent.mkdir()
    nbformat.write(base(), victim)
    WORK.mkdir(parents=True, exist_ok=True)
    canaries = [WORK / f"canary-{uuid.uuid4().hex}.txt", WORK / "gradebook.db", ROOT / "README.md"]
    canaries[0].write_text("untouched")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    cases = make_cases(folder, victim, canaries, listener.getsockname()[1])
    for learner, (make, _, _) in cases.items():
        path = folder / learner / f"{STEM}.ipynb"
        path.parent.mkdir(parents=True)
        if make == "<dir>":
            path.mkdir()
        else:
            nbformat.write(make(), path)
    before = {str(p): (p.read_bytes(), p.stat().st_mtime_ns) for p in [victim, *canaries]}
    # honest jobs here peak near 250 MiB, and their slowest cell takes well under a second
    limits = Limits(cell_timeout=8, wall_timeout=200, memory_mb=1000)
    try:
        results = grade_folder(folder, limits, n_jobs=2, stems=[STEM], progress=False)
    finally:
        listener.close()
    after = {str(p): (p.read_bytes(), p.stat().st_mtime_ns) for p in [victim, *canaries]}
    if os.environ.get("RNN_SANDBOX_DUMP"):
        import json
        with open(os.environ["RNN_SANDBOX_DUMP"], "w") as fh:
            json.dump(results, fh, indent=1)
    survivors = _marked()
    for p in survivors:
        p.kill()
    canaries[0].unlink()
    yield {"results": {r["learner"]: r for r in results}, "cases": cases, "before": before, "after": after,
           "survivors": survivors}


def _hidden_lines() -> list:
    """Lines of hidden test code that the released notebook does not show."""
    nb = nbformat.read(SOLUTIONS / f"{STEM}.ipynb", as_version=4)
    public = " ".join(" ".join(c.source for c in blank().cells).split())
    out = []
    for c in nb.cells:
        for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", c.source, re.S):
            out += [" ".join(line.split()) for line in block.splitlines() if len(line.strip()) >= 12]
    return [line for line in out if line not in public]


LEARNERS = ["forge_tokens", "forge_result_file", "hostile_but_correct", "detached_memory", "tmpfs_memory", "guard_entry", "guard_globals", "guard_defaults", "events_hook",
            "fake_hidden_block", "leak_frame", "leak_check", "loop_note", "Lee [group 2]", "Kim * ?",
            "sigint_loop", "folder_notebook"]


@pytest.mark.parametrize("learner", LEARNERS)
def test_verdict_and_score(graded, learner):
    if learner in SANDBOX_ONLY and not SANDBOX:
        pytest.skip(f"needs the sandbox: {WHY}")
    if learner in CGROUP_ONLY and not CGROUP:
        pytest.skip("needs a writable memory cgroup (root, or a delegated cgroup v2)")
    _, expect_status, expect = graded["cases"][learner]
    r = graded["results"][learner]
    if expect_status is not None:
        assert r["status"] == expect_status, (r["status"], r.get("message"), r.get("seconds"), r.get("peak_mb"),
                                              r.get("notes"), r.get("log", "")[-1500:])
    auto = {t["task"]: t for t in r["tasks"] if not t["manual"]}
    gradekit.assert_scores(auto, expect)


@needs_sandbox
def test_nothing_outside_the_sandbox_was_changed(graded):
    for path, (data, mtime) in graded["before"].items():
        assert graded["after"][path][0] == data, f"{path} was written by a kernel"
        assert graded["after"][path][1] == mtime, f"{path} was touched by a kernel"


@needs_sandbox
def test_no_process_outlives_the_batch(graded):
    assert graded["survivors"] == [], "a double-forked process outlived its grading job"


def test_feedback_carries_no_hidden_test_text(graded):
    hidden = _hidden_lines()
    for learner in ("leak_frame", "leak_check"):
        for t in graded["results"][learner]["tasks"]:
            text = " ".join(str(t["reason"] or "").split())
            leaked = [line for line in hidden if line in text]
            assert not leaked, (learner, t["task"], leaked[:3])
            assert len(text) <= 620


def test_timeout_note_does_not_quote_injected_code(graded):
    r = graded["results"]["loop_note"]
    text = r["message"] + " ".join(str(t["reason"]) for t in r["tasks"])
    assert "rnn_course" not in text and "guard" not in text and "numpy.allclose" not in text, text
    assert "test_rnn_scan" in r["message"]


def test_course_check_messages_stay_verbatim(graded):
    r = graded["results"]["guard_entry"]
    # the guard's own message names what was replaced
    assert any("was replaced" in str(t["reason"]) for t in r["tasks"]), [t["reason"] for t in r["tasks"]]


PLANT = r'''
import os
for _d in ("/tmp", "/dev/shm"):
    with open(os.path.join(_d, "planted"), "w") as _fh:
        _fh.write("from an earlier learner")
    os.makedirs(os.path.join(_d, "locked", "inner"), exist_ok=True)
    os.chmod(os.path.join(_d, "locked"), 0)
'''

READ_PLANTED = """import os

_seen = [p for p in ("/tmp/planted", "/dev/shm/planted", "/tmp/locked", "/dev/shm/locked") if os.path.lexists(p)]

def count_parameters(D, H):
    return D * H + H * H + H + len(_seen)
"""


@needs_sandbox
def test_nothing_passes_from_one_job_to_the_next_in_a_slot(tmp_path):
    """One worker slot grades both learners in turn: the second sees nothing the first left."""
    for learner, nb in (("a_plants", insert_after(base(), "count_parameters", PLANT)),
                        ("b_looks", with_solution(base(), "count_parameters", READ_PLANTED))):
        (tmp_path / learner).mkdir()
        nbformat.write(nb, tmp_path / learner / f"{STEM}.ipynb")
    results = grade_folder(tmp_path, Limits(cell_timeout=20, wall_timeout=120), n_jobs=1, stems=[STEM], progress=False)
    for r in results:
        assert r["status"] == "ok", (r["learner"], r["status"], r.get("message"))
        gradekit.assert_scores({t["task"]: t for t in r["tasks"] if not t["manual"]}, "full")


def test_a_memory_cage_ends_what_outgrows_it():
    from rnn_course.cgroup import MemoryCage, sweep
    cage = MemoryCage.create()
    if cage is None:
        pytest.skip("no writable memory cgroup here (root, or a delegated cgroup v2)")
    import subprocess
    import sys
    hog = subprocess.Popen([sys.executable, "-c", "import sys, time; sys.stdin.readline(); "
                            "x = bytearray(b'x') * (400 * 2**20); print('survived')"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert cage.add_tree(hog.pid)
        assert cage.set_limit(cage.usage_mib() + 100)
        before, hits = cage.oom_kills(), cage.limit_hits()
        out, _ = hog.communicate("go\n", timeout=60)
        assert hog.returncode == -9 and "survived" not in out
        assert cage.oom_kills() == before + 1
        assert cage.limit_hits() >= hits + 2          # the kill, and the peak at the limit
        cage.reset_peak()
        assert cage.limit_hits() == before + 1        # a new peak: only the kill is left
    finally:
        hog.kill()
        hog.wait()
        cage.close()
    assert not cage.path.exists()
    sweep()


@needs_sandbox
def test_emptying_the_sandbox_tmp_never_enters_a_bound_folder():
    """Between jobs the kernel server empties the sandbox's own /tmp (rnn_course.zygote._empty)
    but never walks into a folder bound there from outside: a checkout or venv under /tmp (a CI
    clone) is bound read-only into it, and walking it cost 0.6 s a job. Here a writable folder
    bound into the sandbox's /tmp keeps its file, while the sandbox's own files are gone."""
    import shutil
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from rnn_course import sandbox
    outside = Path(tempfile.mkdtemp(prefix="rnn-bound-", dir="/tmp"))
    try:
        (outside / "keep.txt").write_text("not the sandbox's")
        code = ("import os\n"
                "open('/tmp/junk.txt', 'w').write('x')\n"
                "os.makedirs('/tmp/d/e')\n"
                "open('/tmp/d/e/f.txt', 'w').write('x')\n"
                "os.chmod('/tmp/d', 0o500)\n"
                "from rnn_course.zygote import _empty\n"
                "_empty(['/tmp'])\n"
                "print(sorted(os.listdir('/tmp')))\n")
        r = subprocess.run(sandbox.bwrap_argv(str(outside)) + [sys.executable, "-c", code],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert (outside / "keep.txt").read_text() == "not the sandbox's"
        left = r.stdout.strip()                                  # what is left: the way to bound folders
        assert "junk.txt" not in left and "'d'" not in left and f"'{outside.name}'" in left, left
    finally:
        shutil.rmtree(outside, ignore_errors=True)
