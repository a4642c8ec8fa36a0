"""Helpers never hold a graded answer (issue #14 item 14).

helpers.rnn_reference used to implement notebook 02's graded rnn_step_forward / rnn_forward for
notebook 03; notebook 03 now has its forward pass as a given (locked, ungraded) cell, and its
tests build their caches from torch.nn.RNN. These tests keep it that way.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re

import nbformat

import helpers
import nbharness
from course_spec import SPEC

GRADED = {name for names in SPEC.values() for name in names}


def test_rnn_reference_is_gone():
    assert importlib.util.find_spec("helpers.rnn_reference") is None


def test_no_helper_defines_a_graded_name():
    offenders = []
    for mod in pkgutil.iter_modules(helpers.__path__):
        m = importlib.import_module(f"helpers.{mod.name}")
        for name in GRADED:
            obj = getattr(m, name, None)
            if obj is not None and getattr(obj, "__module__", "").startswith("helpers"):
                offenders.append(f"helpers.{mod.name}.{name}")
    offenders += [f"helpers.{n}" for n in GRADED if hasattr(helpers, n)]
    assert not offenders, offenders


def test_bptt_forward_is_given_not_graded_and_tests_do_not_import_it():
    nb = nbformat.read(nbharness.solution_path("03_bptt"), as_version=4)
    given = [c for c in nb.cells if nbharness.nbg(c).get("grade_id") == "given_forward"]
    assert len(given) == 1
    m = nbharness.nbg(given[0])
    assert m["locked"] and not m["grade"] and not m["solution"]
    assert "def rnn_forward(" in given[0].source and "def rnn_step_forward(" in given[0].source
    for c in nb.cells:
        m = nbharness.nbg(c)
        if m.get("grade"):
            assert "rnn_reference" not in c.source
            # the test cells build caches from torch.nn.RNN, never through the given cell's functions
            assert not re.search(r"(?<!\w)rnn_(step_)?forward\(", c.source), nbharness.nbg(c)["grade_id"]
