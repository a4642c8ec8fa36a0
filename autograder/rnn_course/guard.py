"""Integrity checks run at the top of every test cell during grading.

Learner code runs in the same kernel before the tests, so it could replace the functions the
tests rely on. The grading worker fingerprints those functions in a clean process and injects
``verify(...)`` with the expected fingerprints into each test cell (see autograder/README.md,
"Threat model"). A mismatch fails the cell with GradingIntegrityError; the submission is then
reported as ``tampered``.
"""
from __future__ import annotations

import hashlib
import importlib

CRITICAL = [
    "numpy.allclose", "numpy.isclose", "numpy.array_equal", "numpy.asarray", "numpy.array",
    "numpy.abs", "numpy.max", "numpy.testing.assert_allclose", "numpy.testing.assert_array_equal",
    "numpy.testing.assert_equal", "torch.allclose", "torch.equal", "torch.testing.assert_close",
    "torch.Tensor.tolist", "helpers.checks.check_close", "helpers.checks.check_equal",
    "helpers.checks.check_shape", "helpers.checks.check_true", "helpers.checks.check_choice",
    "helpers.checks.as_array",
    "helpers.checks.rel_error", "helpers.checks._same", "helpers.checks._plain",
    "helpers.checks._is_tensor", "helpers.checks.CheckError",
    "builtins.print", "builtins.isinstance", "builtins.type", "builtins.abs", "builtins.len",
    "builtins.float", "builtins.bool", "builtins.AssertionError", "builtins.Exception",
    "builtins.globals", "builtins.__import__", "importlib.import_module",
    "IPython.core.interactiveshell.InteractiveShell.showtraceback",
    "IPython.core.interactiveshell.InteractiveShell.run_cell",
    "IPython.core.interactiveshell.InteractiveShell.run_ast_nodes",
]


class GradingIntegrityError(AssertionError):
    """Learner code replaced a function the tests rely on."""


def _resolve(path: str):
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


def fingerprint(obj) -> str:
    t = type(obj)
    code = getattr(obj, "__code__", None)
    digest = ""
    if code is not None:
        consts = [c for c in code.co_consts if isinstance(c, (str, int, float, bytes, type(None)))]
        digest = hashlib.sha1(code.co_code + repr((consts, code.co_names)).encode()).hexdigest()[:16]
    name = getattr(obj, "__qualname__", getattr(obj, "__name__", ""))
    return f"{t.__module__}.{t.__qualname__}|{getattr(obj, '__module__', '')}|{name}|{digest}"


def fingerprints() -> dict:
    """Fingerprints of the critical functions, taken in a clean process."""
    out = {}
    for path in CRITICAL:
        try:
            out[path] = fingerprint(_resolve(path))
        except (ImportError, AttributeError):
            continue
    return out


def verify(expected: dict) -> None:
    """Raise GradingIntegrityError naming the first replaced function."""
    for path, fp in expected.items():
        try:
            got = fingerprint(_resolve(path))
        except Exception:  # noqa: BLE001 - a missing function is a replaced one
            got = "<missing>"
        if got != fp:
            raise GradingIntegrityError(f"{path} was replaced by code in the notebook; the tests cannot "
                                        "trust it. Remove the code that patches it.")
    try:
        ip = get_ipython()  # noqa: F821 - defined in IPython kernels
    except NameError:
        return
    def genuine(name):
        if name not in vars(ip):
            return True
        v = vars(ip)[name]
        return getattr(v, "__self__", None) is ip and getattr(v, "__func__", None) is getattr(type(ip), name, None)

    patched = [n for n in ("showtraceback", "run_cell", "run_ast_nodes", "_showtraceback") if not genuine(n)]
    if patched:
        raise GradingIntegrityError(f"IPython's {patched[0]} was replaced by code in the notebook.")
    if ip.input_transformers_post or [t for t in ip.input_transformers_cleanup
                                      if getattr(t, "__module__", "").split(".")[0] not in ("IPython",)]:
        raise GradingIntegrityError("an input transformer was installed that can rewrite the tests.")


TRUSTED_NAMES = ("check_close", "check_equal", "check_shape", "check_true", "check_choice", "rel_error",
                 "as_array", "CheckError", "compare")


def verify_and_restore(namespace: dict, expected: dict) -> None:
    """verify(), then rebind the names the tests use to the genuine objects in ``namespace``.

    Learner code can rebind a global such as ``check_close = lambda *a: None`` without touching
    any module; the test cell then runs against the genuine functions again.
    """
    import sys

    verify(expected)
    import helpers.checks as checks
    import numpy

    for name in TRUSTED_NAMES:
        if name in namespace or hasattr(checks, name):
            namespace[name] = getattr(checks, name)
    namespace["np"] = numpy
    if "torch" in sys.modules:
        namespace["torch"] = sys.modules["torch"]
