"""Shared infrastructure for the RNN interview course (checks, data, plots, cards).

Nothing here implements what a learner is graded on. Import from the submodules, e.g.
``from helpers.checks import check_close``; the most used names are re-exported here.
"""
from .card import show_card
from .checks import CheckError, check_close, check_equal, check_shape, check_true, compare, rel_error
from .seeding import seed_everything

__version__ = "0.1.0"
__all__ = ["show_card", "CheckError", "check_close", "check_equal", "check_shape", "check_true",
           "compare", "rel_error", "seed_everything"]
