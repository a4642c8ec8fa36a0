"""Hidden tests catch real mistakes and accept every correct implementation.

Each module tests/variants/vNN_*.py declares, for one solution notebook:
  STEM = "NN_name"
  WRONG = {grade_id: {mistake: source}}     # each must fail test_<grade_id>
  CORRECT = {grade_id: {variant: source}}   # each must pass every test cell
  TESTS = {grade_id: test_grade_id}         # optional, default "test_" + grade_id
  check_experiment(E)                       # asserts on the notebook's EXPERIMENT dict

check_experiment runs on nbval's execution of the solution notebook (tests/nbval_experiments.py:
the item "experiment" after the notebook's last cell), so experiments run once per session.
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import nbharness
import variants

MODULES = [importlib.import_module(f"variants.{m.name}") for m in pkgutil.iter_modules(variants.__path__)
           if m.name.startswith("v")]


def _cases(kind):
    for mod in MODULES:
        for gid, impls in getattr(mod, kind, {}).items():
            for name, src in impls.items():
                yield pytest.param(mod, gid, src, id=f"{mod.STEM}-{gid}-{name}")


@pytest.mark.parametrize("mod", MODULES, ids=lambda m: m.STEM)
def test_solution_passes_every_test_cell(mod):
    _, results = nbharness.run(mod.STEM)
    failed = {k: v for k, v in results.items() if v}
    assert results and not failed, failed


@pytest.mark.parametrize("mod,gid,src", list(_cases("WRONG")))
def test_wrong_implementation_loses_its_task(mod, gid, src):
    test_id = getattr(mod, "TESTS", {}).get(gid, f"test_{gid}")
    _, results = nbharness.run(mod.STEM, {gid: src}, stop_after=test_id)
    assert test_id in results, f"no test cell {test_id} in {mod.STEM}"
    assert results[test_id] is not None, f"{test_id} accepted a wrong {gid}"


@pytest.mark.parametrize("mod,gid,src", list(_cases("CORRECT")))
def test_other_correct_implementation_passes(mod, gid, src):
    _, results = nbharness.run(mod.STEM, {gid: src})
    failed = {k: v for k, v in results.items() if v}
    assert not failed, failed
