"""Adversarial submissions: each gets the expected verdict and score, and none stops the batch."""
from __future__ import annotations

import copy
import json

import nbformat
import pytest

import gradekit
from rnn_course.batch import Limits
from rnn_course.grading import grade_folder

STEM = "01_recurrence"
WRONG_COUNT = "def count_parameters(D, H):\n    return D * H + H * H + 2 * H\n"
FORGED = '''class _Anything(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__
    def __array__(self, dtype=None, copy=None):
        import numpy
        return numpy.array(other_value)

def count_parameters(D, H):
    return _Anything(0)
'''


def base():
    return gradekit.filled(STEM)


with_solution, index_of, insert_after = gradekit.with_solution, gradekit.index_of, gradekit.insert_after


def spoof(code):
    return insert_after(with_solution(base(), "count_parameters", WRONG_COUNT), "count_parameters", code)


def noisy():
    nb = with_solution(base(), "count_parameters",
                       "import sys, warnings\n\ndef count_parameters(D, H):\n"
                       "    warnings.warn('a warning on stderr')\n"
                       "    print('debug output', file=sys.stderr)\n    print('and on stdout')\n"
                       "    return D * H + H * H + H\n")
    return insert_after(nb, "count_parameters", "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\n"
                        "plt.show()\nprint('an extra cell of my own')")


def deleted_test():
    nb = base()
    del nb.cells[index_of(nb, "test_count_parameters")]
    return nb


def edited_test():
    nb = with_solution(base(), "count_parameters", WRONG_COUNT)
    nb.cells[index_of(nb, "test_count_parameters")].source = "pass  # trust me"
    return nb


def duplicated():
    nb = base()
    i = index_of(nb, "test_rnn_scan")
    nb.cells.insert(i + 1, copy.deepcopy(nb.cells[i]))
    return nb


# learner -> (notebook or raw text, expected status, {task: expected score or None for 'full'})
CASES = {
    "noisy_but_correct": (noisy, "ok", "full"),
    "infinite_loop": (lambda: with_solution(base(), "rnn_scan", "def rnn_scan(step, h0, xs):\n    while True:\n        pass\n"),
                      "timeout", {"rnn_scan": 0, "count_parameters": "full"}),
    "memory_bomb": (lambda: insert_after(base(), "count_parameters", "import numpy as np\nhog = np.ones(int(9e8))"),
                    "memory", "zero"),
    "os_exit": (lambda: insert_after(base(), "count_parameters", "import os\nos._exit(1)"), "kernel_died", "zero"),
    "sys_exit": (lambda: insert_after(base(), "count_parameters", "import sys\nsys.exit(0)"), "ok", "full"),
    "raises": (lambda: insert_after(base(), "count_parameters", "raise RuntimeError('oops')"), "ok", "full"),
    "invalid_json": ("{ not json at all", "invalid_notebook", "zero"),
    "not_a_notebook": ("[1, 2, 3]", "invalid_notebook", "zero"),
    "deleted_test": (deleted_test, "tampered", "full"),
    "edited_test": (edited_test, "tampered", {"count_parameters": 0, "rnn_scan": "full"}),
    "duplicated_test": (duplicated, "tampered", "full"),
    "patch_np_allclose": (lambda: spoof("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                                        "np.isclose = lambda *a, **k: True"), "tampered", {"count_parameters": 0}),
    "patch_np_testing": (lambda: spoof("import numpy as np\nnp.testing.assert_allclose = lambda *a, **k: None\n"
                                       "np.testing.assert_array_equal = lambda *a, **k: None"),
                         "tampered", {"count_parameters": 0}),
    "patch_torch": (lambda: spoof("import torch\ntorch.allclose = lambda *a, **k: True\n"
                                  "torch.equal = lambda *a, **k: True"), "tampered", {"count_parameters": 0}),
    "patch_helpers": (lambda: spoof("import helpers.checks as hc\nhc.check_equal = lambda *a, **k: None\n"
                                    "hc.check_true = lambda *a, **k: None\ncheck_equal = hc.check_equal\n"
                                    "check_true = hc.check_true"), "tampered", {"count_parameters": 0}),
    "rebind_globals": (lambda: spoof("check_equal = lambda *a, **k: None\ncheck_true = lambda *a, **k: None\n"
                                     "check_close = lambda *a, **k: None"), "ok", {"count_parameters": 0, "rnn_scan": "full"}),
    "patch_assert": (lambda: spoof("import builtins\nbuiltins.AssertionError = type('AssertionError', (Exception,), {})"),
                     "tampered", {"count_parameters": 0}),
    "patch_traceback": (lambda: spoof("ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
                                      "ip._showtraceback = lambda *a, **k: None"), "tampered", {"count_parameters": 0}),
    "forged_eq": (lambda: with_solution(base(), "count_parameters", FORGED), "ok", {"count_parameters": 0}),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("adversarial")
    for learner, (make, _, _) in CASES.items():
        path = folder / learner / f"{STEM}.ipynb"
        path.parent.mkdir(parents=True)
        if isinstance(make, str):
            path.write_text(make)
        else:
            nbformat.write(make(), path)
    # 1000 MiB as in test_sandbox (honest jobs peak near 300 MiB): with 2500 the memory bomb could
    # take longer than the 10 s cell limit to fill its pages on a loaded machine (seen twice: a
    # timeout instead of memory)
    limits = Limits(cell_timeout=10, wall_timeout=240, memory_mb=1000)
    graded = grade_folder(folder, limits, n_jobs=2, stems=[STEM], progress=False)
    return folder, limits, {r["learner"]: r for r in graded}


@pytest.mark.parametrize("learner", list(CASES))
def test_verdict_and_score(results, learner):
    _, expect_status, expect = CASES[learner]
    r = results[2][learner]
    assert r["status"] == expect_status, (r["status"], r.get("message"), r.get("log", "")[-1500:])
    auto = {t["task"]: t for t in r["tasks"] if not t["manual"]}
    gradekit.assert_scores(auto, expect)


def test_tampering_is_reported(results):
    r = results[2]
    assert "deleted" in r["deleted_test"]["message"] and "edited" in r["edited_test"]["message"]
    assert "duplicated" in r["duplicated_test"]["message"]
    assert "numpy.allclose" in r["patch_np_allclose"]["message"]


def test_parallel_scores_equal_serial_scores(results, tmp_path):
    folder, limits, parallel = results
    subset = ["noisy_but_correct", "edited_test", "rebind_globals", "invalid_json"]
    for learner in subset:
        (tmp_path / learner).symlink_to(folder / learner)
    serial = {r["learner"]: r for r in grade_folder(tmp_path, limits, n_jobs=1, stems=[STEM], progress=False)}
    for learner in subset:
        pick = lambda r: (r["status"], [(t["task"], t["score"]) for t in r["tasks"]])  # noqa: E731
        assert pick(serial[learner]) == pick(parallel[learner])


def test_batch_json_round_trip(results):
    json.dumps(list(results[2].values()))          # results are plain data
