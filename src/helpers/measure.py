"""Timing and memory measurements for experiments (figures to print, never to assert on)."""
from __future__ import annotations

import time

import numpy as np


def time_call(fn, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def nbytes(*arrays) -> int:
    """Total bytes held by numpy arrays and torch tensors (nested lists and tuples allowed)."""
    total = 0
    for a in arrays:
        if isinstance(a, (list, tuple)):
            total += nbytes(*a)
        elif isinstance(a, dict):
            total += nbytes(*a.values())
        elif hasattr(a, "element_size") and hasattr(a, "nelement"):
            total += a.element_size() * a.nelement()
        elif hasattr(a, "nbytes"):
            total += int(a.nbytes)
    return total


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
