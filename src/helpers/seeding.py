"""Deterministic seeds for Python, numpy and torch; CPU by default."""
from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int = 0) -> np.random.Generator:
    """Seed random, numpy and torch (CPU, deterministic algorithms); return a numpy Generator."""
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch
        torch.manual_seed(seed)
        _deterministic(torch)
    except ImportError:  # pragma: no cover
        pass
    return np.random.default_rng(seed)


def _deterministic(torch) -> None:
    """torch.use_deterministic_algorithms(True, warn_only=True) for eager ops.

    The public call also imports torch._inductor's config (for torch.compile, which the course
    never uses): 1.3 s of every notebook's start on a 2-core CPU. The eager flag is the same
    either way; the public call stays the fallback where the private setter is missing.
    """
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None:  # pragma: no cover - another torch
        torch.use_deterministic_algorithms(True, warn_only=True)
    else:
        setter(True, warn_only=True)
