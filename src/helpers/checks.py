"""Checks whose failure messages teach.

Every check copies the values it compares into plain float64 numpy arrays first, and refuses
objects that are not genuine arrays, tensors or numbers, so an object with a forged ``__eq__`` or
``__array__`` cannot pass. Messages name the shape or dtype mismatch, the worst element and its
index, and a hint where the caller knows the likely mistake.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["CheckError", "as_array", "rel_error", "check_close", "check_shape", "check_true",
           "check_equal", "compare", "max_abs_diff"]


class CheckError(AssertionError):
    """A failed check; an AssertionError so that nbgrader and pytest count it as a failure."""


def _is_tensor(x) -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return False
    return type(x) is torch.Tensor or type(x) is torch.nn.Parameter


def as_array(x, name: str = "value") -> np.ndarray:
    """Copy ``x`` into a float64 (or int/bool) numpy array, refusing look-alike objects."""
    if _is_tensor(x):
        t = x.detach().cpu()
        if t.is_complex():
            raise CheckError(f"{name}: got a complex tensor; expected real values.")
        return np.array(t.tolist(), dtype=np.float64 if t.is_floating_point() else np.int64).reshape(tuple(t.shape))
    if type(x) is np.ndarray:
        if x.dtype == object:
            raise CheckError(f"{name}: got an array of Python objects; expected numbers.")
        return np.array(x, copy=True)
    if isinstance(x, (bool, np.bool_)):
        return np.array(bool(x))
    if isinstance(x, numbers.Real) and type(x) in (int, float, np.float64, np.float32, np.int64, np.int32):
        return np.array(float(x) if isinstance(x, (float, np.floating)) else int(x))
    if type(x) in (list, tuple):
        try:
            return np.array([as_array(v, name).tolist() for v in x], dtype=np.float64)
        except ValueError as e:
            raise CheckError(f"{name}: a ragged list/tuple cannot be compared ({e}).") from None
    raise CheckError(f"{name}: expected a numpy array, torch tensor or number, got {type(x).__name__}."
                     + (" Did you forget a return statement?" if x is None else ""))


def rel_error(x, y) -> float:
    """Maximum relative error max |x - y| / max(1e-8, |x| + |y|), as in cs231n."""
    a, b = as_array(x, "x").astype(np.float64), as_array(y, "y").astype(np.float64)
    if a.shape != b.shape:
        raise CheckError(f"rel_error: shapes differ {a.shape} vs {b.shape}.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def max_abs_diff(x, y) -> float:
    a, b = as_array(x, "x").astype(np.float64), as_array(y, "y").astype(np.float64)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def _shape_message(name, got, want, hint):
    msg = f"{name}: shape {tuple(got)} but expected {tuple(want)}."
    if len(got) == len(want) and tuple(got) == tuple(reversed(want)) and len(got) >= 2:
        msg += " The axes look swapped: check for a transposed weight or a missing .T."
    elif len(got) == len(want) - 1:
        msg += " One axis is missing: did you drop the batch or time dimension?"
    elif len(got) == len(want) + 1:
        msg += " There is an extra axis: a stray keepdims or unsqueeze?"
    if hint:
        msg += f" Hint: {hint}"
    return msg


def check_shape(actual, shape, name: str = "output", hint: str | None = None) -> None:
    """Fail with a teaching message unless ``actual`` has exactly ``shape``."""
    got = as_array(actual, name).shape
    if tuple(got) != tuple(shape):
        raise CheckError(_shape_message(name, got, shape, hint))


def check_close(actual, expected, name: str = "output", atol: float = 1e-6, rtol: float = 1e-5,
                hint: str | None = None) -> None:
    """Fail unless ``actual`` matches ``expected`` elementwise (``max_abs_diff`` gives the
    difference itself).

    The message names a shape or dtype mismatch, NaNs, and the worst element with its index.
    It returns nothing: a test cell that ends with a check then shows no value, and nbgrader's
    own autograde, which takes a number a test cell shows as its partial credit, gives the cell
    its points.
    """
    want = as_array(expected, f"{name} (expected)")
    got = as_array(actual, name)
    if got.shape != want.shape:
        raise CheckError(_shape_message(name, got.shape, want.shape, hint))
    if want.dtype.kind in "fc" and got.dtype.kind in "biu" and got.size and not np.allclose(got, want):
        raise CheckError(f"{name}: got integer dtype {got.dtype} where floats were expected "
                         f"(an integer division or a cast?)." + (f" Hint: {hint}" if hint else ""))
    if got.size == 0:
        return None
    g, w = got.astype(np.float64), want.astype(np.float64)
    if np.isnan(g).any() and not np.isnan(w).any():
        idx = tuple(int(i) for i in np.argwhere(np.isnan(g))[0])
        raise CheckError(f"{name}: contains NaN (first at index {idx})." + (f" Hint: {hint}" if hint else ""))
    diff = np.abs(g - w)
    diff = np.where(np.isnan(g) & np.isnan(w), 0.0, diff)
    tol = atol + rtol * np.abs(w)
    bad = ~(diff <= tol)
    if bad.any():
        worst = np.unravel_index(int(np.argmax(np.where(bad, diff, -1.0))), g.shape)
        worst = tuple(int(i) for i in worst)
        msg = (f"{name}: {int(bad.sum())} of {g.size} values differ; worst at index {worst}: "
               f"got {g[worst]:.6g}, expected {w[worst]:.6g} (|diff| {diff[worst]:.3g}, "
               f"tolerance {tol[worst]:.3g}).")
        if g.size > 1 and not np.any(g):
            msg += " Your result is all zeros: is the function still a stub, or is nothing written?"
        elif g.size > 1 and np.allclose(g, -w, atol=atol, rtol=rtol):
            msg += " The sign is flipped everywhere."
        elif g.size > 1 and np.all(np.abs(w) > 1e-12) and np.allclose(g / np.where(w == 0, 1, w), (g / np.where(w == 0, 1, w)).flat[0], rtol=1e-4):
            ratio = float((g / w).flat[0])
            msg += f" Every value is off by the same factor {ratio:.4g}: a missing or extra scale?"
        if hint:
            msg += f" Hint: {hint}"
        raise CheckError(msg)
    return None


def _plain(v):
    """Reduce numpy scalars to Python values; refuse anything that is not a plain value."""
    if isinstance(v, np.generic):
        return v.item()
    if type(v) in (int, float, str, bool, type(None)):
        return v
    if type(v) in (tuple, list):
        return tuple(_plain(u) for u in v)
    raise CheckError(f"expected a plain value (int, float, str, bool, tuple), got {type(v).__name__}.")


def _same(a, e) -> bool:
    if type(e) is tuple:
        return type(a) is tuple and len(a) == len(e) and all(_same(u, v) for u, v in zip(a, e))
    if type(e) is bool or type(a) is bool:
        return type(a) is type(e) and a is e
    if type(e) is float or type(a) is float:
        return type(a) in (int, float) and type(e) in (int, float) and math.isclose(
            float(a), float(e), rel_tol=1e-9, abs_tol=1e-12)
    if type(e) is int:
        return type(a) is int and int.__eq__(a, e) is True
    if type(e) is str:
        return type(a) is str and str.__eq__(a, e) is True
    return a is e


def check_equal(actual, expected, name: str = "output", hint: str | None = None) -> None:
    """Exact equality for ints, strings, bools, tuples of them (arrays: exact elementwise)."""
    if type(expected) is np.ndarray or _is_tensor(expected):
        check_close(actual, expected, name, atol=0, rtol=0, hint=hint)
        return
    try:
        a = _plain(actual)
    except CheckError as err:
        raise CheckError(f"{name}: {err}") from None
    e = _plain(expected)
    if not _same(a, e):
        raise CheckError(f"{name}: got {a!r}, expected {e!r}." + (f" Hint: {hint}" if hint else ""))


def check_true(condition, message: str) -> None:
    """Fail with ``message`` unless ``condition`` is a genuine True."""
    if type(condition) is np.bool_:
        condition = bool(condition)
    if condition is not True:
        raise CheckError(message)


def check_choice(answer, name: str = "answer", choices: str = "abcd") -> str:
    """A multiple-choice answer: one of the letters in ``choices`` (any case, spaces allowed).

    Returns the normalised letter; fails with a message that lists the allowed strings.
    """
    allowed = ", ".join(f'"{c}"' for c in choices)
    if not isinstance(answer, str) or answer.strip().lower() not in tuple(choices):
        raise CheckError(f"{name} must be one of the strings {allowed}; got {answer!r}.")
    return answer.strip().lower()


def compare(name: str, actual, expected, atol: float = 1e-6) -> str:
    """Print and return one line: exact / approximate / max-diff, as in micrograd's comparisons."""
    a, e = as_array(actual, name), as_array(expected, "expected")
    if a.shape != e.shape:
        line = f"{name:<28} shape {a.shape} vs {e.shape}: MISMATCH"
    else:
        d = float(np.max(np.abs(a.astype(float) - e.astype(float)))) if a.size else 0.0
        exact = bool(np.array_equal(a, e))
        approx = d <= atol
        line = f"{name:<28} exact: {str(exact):<5} approximate: {str(approx):<5} max diff: {d:.2e}"
    print(line)
    return line
