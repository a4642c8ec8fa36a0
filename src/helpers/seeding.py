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
        torch.use_deterministic_algorithms(True, warn_only=True)
    except ImportError:  # pragma: no cover
        pass
    return np.random.default_rng(seed)
