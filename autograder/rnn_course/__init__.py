"""Grading commands of the RNN interview course (`rnn-course`), built on nbgrader."""
import os as _os
import sys as _sys

__version__ = "0.1.0"

# nbgrader runs the `alembic` executable when it creates a gradebook; make sure the one next to
# this interpreter is found even when the virtual environment is not activated.
_bin = _os.path.dirname(_sys.executable)
if _bin not in _os.environ.get("PATH", "").split(_os.pathsep):
    _os.environ["PATH"] = _bin + _os.pathsep + _os.environ.get("PATH", "")
