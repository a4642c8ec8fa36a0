"""environment.yml (Binder) and pyproject.toml declare the same runtime dependencies."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"torch": "pytorch-cpu", "matplotlib": "matplotlib-base"}


def _parse(spec: str):
    m = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*(.*)$", spec)
    return m.group(1).lower(), m.group(2).replace(" ", "")


def test_every_runtime_dependency_is_in_both_with_the_same_bounds():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env = (ROOT / "environment.yml").read_text()
    conda = dict(_parse(line.strip()[2:]) for line in env.splitlines()
                 if line.startswith("  - ") and not line.strip().startswith("- pip"))
    for spec in py:
        name, bounds = _parse(spec)
        cname = CONDA_NAMES.get(name, name)
        assert cname in conda, f"{name} is in pyproject.toml but not in environment.yml"
        assert conda[cname] == bounds, f"{name}: pyproject {bounds!r} but environment.yml {conda[cname]!r}"
    assert "- -e ." in env, "environment.yml must install the project itself"


def test_torch_is_capped_to_the_local_cpu_wheel():
    py = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'"torch>=2\.\d+,<2\.14"', py), "torch must admit 2.13 and nothing newer"


def test_binder_post_build_configures_the_lab():
    text = (ROOT / "postBuild").read_text()
    assert "pip install" in text and "rnn-course setup-lab" in text
