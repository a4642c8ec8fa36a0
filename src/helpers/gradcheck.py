"""Numeric gradients in float64 by central differences (the reference for every backward pass)."""
from __future__ import annotations

import numpy as np


def numeric_gradient(f, x: np.ndarray, df=None, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of ``sum(f(x) * df)`` with respect to ``x``.

    f: callable taking x (any shape) and returning an array (or a scalar when df is None).
    x: float array, perturbed in place and restored; it is promoted to float64 by the caller.
    df: upstream gradient with f(x)'s shape; None means f returns a scalar.
    Returns an array of x's shape.
    """
    if x.dtype != np.float64:
        raise TypeError(f"numeric_gradient needs a float64 array (got {x.dtype}); float32 "
                        "differences are too coarse for a gradient check.")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h                      # step up
        plus = np.array(f(x), dtype=np.float64, copy=True)
        x[i] = old - h                      # step down
        minus = np.array(f(x), dtype=np.float64, copy=True)
        x[i] = old                          # restore
        diff = plus - minus
        grad[i] = (np.sum(diff * df) if df is not None else float(diff)) / (2 * h)
        it.iternext()
    return grad
