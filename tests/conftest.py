import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).parent))

def pytest_configure(config):
    from nbval_experiments import NbvalExperiments
    config.pluginmanager.register(NbvalExperiments(), "rnn-nbval-experiments")


# Seconds each unit of work took in a full `make test` (3 workers on 2 cores, 2026-12-07, 4:48). Only
# their order matters: the scheduler below hands out the longest units first, so no long unit
# starts when the others are nearly done. A file not listed counts as short.
LONG_UNITS = {
    "tests/test_roundtrip.py": 118, "tests/test_sandbox.py": 91, "tests/test_browser.py": 87,
    "tests/test_instructor.py": 66, "tests/test_cluster.py": 54, "tests/test_adversarial.py": 53,
    "tests/test_workspace.py::test_the_whole_loop_on_a_fresh_clone": 51,
    "tests/test_zygote.py::test_forked_kernel_grades_like_a_fresh_kernel": 33, "tests/test_selfgrade.py": 23,
    "tests/test_workspace.py::test_without_a_workspace_numbers_resolve_to_course_with_a_note": 20,
    "tests/test_variants.py::03_bptt": 19, "tests/test_cli.py::test_check_a_released_notebook": 15,
    "tests/test_old_releases.py": 14, "solutions/04_truncated_bptt.ipynb": 13,
    "solutions/09_seq2seq.ipynb": 11, "tests/test_cli.py::test_check_spots_an_older_course_version": 11,
    "solutions/06_lstm_gates.ipynb": 11, "tests/test_cli.py::test_grade_a_tiny_class": 9,
}
# Files whose tests share no module fixture worth keeping together: each test is its own unit.
PER_TEST = ("tests/test_workspace.py", "tests/test_cli.py", "tests/test_zygote.py")


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (make test), longest units first, with some files cut finer.

    Whole files stay on one worker (a file's module fixtures are built once; a notebook's nbval
    cells run in order in one kernel), except test_variants.py, cut into one unit per notebook
    (hundreds of tests), and the files in PER_TEST, cut into one unit per test function. xdist
    would otherwise queue the units with the most tests first, which put the longest single
    tests (a fresh clone's whole learner loop, the sandbox's attack batch) last."""
    if config.getoption("dist", None) != "loadfile":
        return None
    import re

    from xdist.scheduler import LoadScopeScheduling

    class LongestFirstScheduling(LoadScopeScheduling):
        _sorted = False

        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if path.endswith("test_variants.py"):
                m = re.search(r"\[(\d\d_\w+?)(?:-|\])", nodeid)
                return f"{path}::{m.group(1)}" if m else path
            if path in PER_TEST:
                return nodeid.split("[", 1)[0]
            return path

        def _assign_work_unit(self, node) -> None:
            if not self._sorted:                        # the queue is complete: longest first
                self._sorted = True                     # (a stable sort: ties keep xdist's order)
                units = sorted(self.workqueue.items(), key=lambda kv: -LONG_UNITS.get(kv[0], 0))
                self.workqueue.clear()
                self.workqueue.update(units)
            super()._assign_work_unit(node)

    return LongestFirstScheduling(config, log)
