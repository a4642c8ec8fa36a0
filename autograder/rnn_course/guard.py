"""Integrity checks run at the top of every test cell during grading.

Learner code runs in the same kernel before the tests, so it could replace the functions the
tests rely on. Two layers (see autograder/README.md, "Threat model"):

1. ``fingerprints()``, taken in a clean process (the sandboxed kernel server when it has
   preloaded, before any job; the unsandboxed fork server; or the job's fresh interpreter: see
   rnn_course.worker.job_fingerprints), is injected into each test cell
   and compared with what the kernel has (type, module, name, bytecode, defaults).
2. ``arm()`` runs in the grading kernel before any learner code (rnn_course.zygote calls it
   when the kernel starts). It captures the genuine objects themselves, and binds the entry
   point ``__rnn_course_guard__`` in builtins: a copy of ``verify_and_restore`` whose globals
   are a private snapshot (its own copy of builtins, of ``sys.modules`` and of this module), so
   replacing ``rnn_course.guard.verify_and_restore``, ``builtins.__import__``, a
   ``sys.modules`` entry or a function of this module changes nothing the entry uses. The test
   cells call only that entry. Besides identity, defaults (``__defaults__``,
   ``__kwdefaults__``), code objects and globals of every checked function, it checks the module
   globals ``helpers.checks`` depends on (``np``, ``math``, and every ``np.<name>`` its functions
   use), IPython's exception, display and cell hooks, tracing, and threads running notebook code.

A mismatch fails the cell with GradingIntegrityError; the submission is then ``tampered``.
"""
from __future__ import annotations

import builtins
import hashlib
import importlib
import sys
import types

_sha1 = hashlib.sha1
_import_module = importlib.import_module

CRITICAL = [
    "numpy.allclose", "numpy.isclose", "numpy.array_equal", "numpy.asarray", "numpy.array",
    "numpy.abs", "numpy.max", "numpy.testing.assert_allclose", "numpy.testing.assert_array_equal",
    "numpy.testing.assert_equal", "numpy.ndarray", "torch.allclose", "torch.equal",
    "torch.testing.assert_close", "torch.Tensor", "torch.nn.Parameter", "torch.Tensor.tolist",
    "torch.Tensor.detach", "torch.Tensor.cpu", "torch.Tensor.is_complex", "torch.Tensor.is_floating_point",
    "torch.Tensor.shape", "torch.Tensor.__array__",
    "helpers.checks.check_close", "helpers.checks.check_equal",
    "helpers.checks.check_shape", "helpers.checks.check_true", "helpers.checks.check_choice",
    "helpers.checks.as_array", "helpers.checks.compare", "helpers.checks.max_abs_diff",
    "helpers.checks.rel_error", "helpers.checks._same", "helpers.checks._plain",
    "helpers.checks._is_tensor", "helpers.checks._shape_message", "helpers.checks.CheckError",
    "builtins.print", "builtins.isinstance", "builtins.type", "builtins.abs", "builtins.len",
    "builtins.float", "builtins.int", "builtins.bool", "builtins.str", "builtins.tuple", "builtins.list",
    "builtins.range", "builtins.zip", "builtins.enumerate", "builtins.min", "builtins.max", "builtins.sum",
    "builtins.any", "builtins.all", "builtins.getattr", "builtins.hasattr", "builtins.repr",
    "builtins.AssertionError", "builtins.Exception", "builtins.BaseException",
    "builtins.globals", "builtins.__import__", "builtins.__build_class__", "importlib.import_module",
    "IPython.core.interactiveshell.InteractiveShell.showtraceback",
    "IPython.core.interactiveshell.InteractiveShell._showtraceback",
    "IPython.core.interactiveshell.InteractiveShell.run_cell",
    "IPython.core.interactiveshell.InteractiveShell.run_code",
    "IPython.core.interactiveshell.InteractiveShell.run_ast_nodes",
    "IPython.core.interactiveshell.InteractiveShell.set_custom_exc",
]

_CHECK_MODULES = ("helpers.checks",)          # modules whose globals (and the attributes they use) are checked
_HOOK_OWNERS = ("IPython", "ipykernel", "matplotlib", "matplotlib_inline", "ipywidgets", "comm", "rnn_course")
TRUSTED_NAMES = ("check_close", "check_equal", "check_shape", "check_true", "check_choice", "rel_error",
                 "as_array", "CheckError", "compare")


class GradingIntegrityError(AssertionError):
    """Learner code replaced a function the tests rely on."""


def _code_names(code) -> set:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _code_names(c)
    return names


def _dependencies() -> list:
    """Paths of what the check modules depend on: their globals and the attributes they use."""
    out = []
    for modname in _CHECK_MODULES:
        try:
            mod = _import_module(modname)
        except ImportError:
            continue
        used = set()
        for v in vars(mod).values():
            code = getattr(v, "__code__", None)
            if isinstance(code, types.CodeType):
                used |= _code_names(code)
            if isinstance(v, type):
                for m in vars(v).values():
                    if isinstance(getattr(m, "__code__", None), types.CodeType):
                        used |= _code_names(m.__code__)
        for name, v in sorted(vars(mod).items()):
            if name.startswith("__") or name == "annotations":
                continue
            if isinstance(v, types.ModuleType):
                out.append(f"{modname}.{name}")
                for attr in sorted(used):
                    if not attr.startswith("__") and attr in vars(v):
                        out.append(f"{v.__name__}.{attr}")
            elif callable(v):
                out.append(f"{modname}.{name}")
    return out


def critical() -> list:
    seen, out = set(), []
    for p in CRITICAL + _dependencies():
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _resolve(path: str, modules=None):
    modules = sys.modules if modules is None else modules
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        name = ".".join(parts[:i])
        obj = modules.get(name)
        if obj is None and modules is sys.modules:
            try:
                obj = _import_module(name)
            except ImportError:
                continue
        if obj is None:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


def fingerprint(obj) -> str:
    t = type(obj)
    code = getattr(obj, "__code__", None) if isinstance(obj, (types.FunctionType, types.MethodType)) else None
    digest = ""
    if isinstance(code, types.CodeType):
        consts = [c for c in code.co_consts if isinstance(c, (str, int, float, bytes, type(None)))]
        extra = repr((consts, code.co_names, getattr(obj, "__defaults__", None),
                      sorted((getattr(obj, "__kwdefaults__", None) or {}).items())))
        digest = _sha1(code.co_code + extra.encode()).hexdigest()[:16]
    if isinstance(obj, types.ModuleType):
        return f"module|{obj.__name__}"
    name = getattr(obj, "__qualname__", getattr(obj, "__name__", ""))
    return f"{t.__module__}.{t.__qualname__}|{getattr(obj, '__module__', '')}|{name}|{digest}"


def fingerprints() -> dict:
    """Fingerprints of the critical objects, taken in a clean process."""
    out = {}
    for path in critical():
        try:
            out[path] = fingerprint(_resolve(path))
        except (ImportError, AttributeError):
            continue
    return out


# --- in the kernel: the genuine objects, captured by arm() before learner code runs -------------

_captured: dict = {}          # path -> (object, __code__, __defaults__, copy of __kwdefaults__, __globals__)
_modules: dict = {}           # a snapshot of sys.modules
_threads: set = set()         # threads alive when the kernel was armed


def _state(obj):
    kw = getattr(obj, "__kwdefaults__", None) if isinstance(obj, types.FunctionType) else None
    return (obj, getattr(obj, "__code__", None) if isinstance(obj, types.FunctionType) else None,
            getattr(obj, "__defaults__", None) if isinstance(obj, types.FunctionType) else None,
            dict(kw) if kw else None,
            getattr(obj, "__globals__", None) if isinstance(obj, types.FunctionType) else None)


def _fail(what: str) -> None:
    raise GradingIntegrityError(f"{what} was replaced by code in the notebook; the tests cannot "
                                "trust it. Remove the code that patches it.")


def _is_cell_file(filename: str) -> bool:
    return (filename.startswith("<ipython-input") or "/ipykernel_" in filename or filename in ("<string>", "<stdin>")
            or filename.startswith("<cell"))


def _shell():
    mod = (_modules or sys.modules).get("IPython.core.interactiveshell")
    cls = getattr(mod, "InteractiveShell", None)
    try:
        return cls._instance if cls is not None and cls.initialized() else None
    except Exception:  # noqa: BLE001
        return None


def verify(expected: dict) -> None:
    """Raise GradingIntegrityError naming the first replaced object or hook."""
    ip = _shell()
    problems = _disarm(ip) if ip is not None else []      # first: nothing may swallow what follows
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.settrace(None)
        sys.setprofile(None)
        problems.append("a trace or profile function (sys.settrace/setprofile) was installed that can "
                        "watch or change the tests.")
    for path, fp in expected.items():
        try:
            got = fingerprint(_resolve(path, _modules or None))
        except Exception:  # noqa: BLE001 - a missing function is a replaced one
            got = "<missing>"
        if got != fp:
            _fail(path)
    for path, (obj, code, defaults, kwdefaults, glob) in _captured.items():
        try:
            now = _resolve(path, _modules)
        except Exception:  # noqa: BLE001
            _fail(path)
        if now is not obj:
            _fail(path)
        if code is not None and (obj.__code__ is not code or obj.__defaults__ is not defaults
                                 or (dict(obj.__kwdefaults__) if obj.__kwdefaults__ else None) != kwdefaults
                                 or obj.__globals__ is not glob):
            _fail(f"{path} (its code, defaults or globals)")
    for name, mod in _modules.items():
        if (name in _CHECK_MODULES or name in ("numpy", "torch", "builtins", "rnn_course.guard")) \
                and sys.modules.get(name) is not mod:
            _fail(f"the module {name}")
    if problems:
        raise GradingIntegrityError(problems[0])
    me = _current_thread_id()
    for tid, frame in sys._current_frames().items():
        if tid == me or tid in _threads:
            continue
        f = frame
        while f is not None:
            if _is_cell_file(f.f_code.co_filename):
                raise GradingIntegrityError("a thread started by code in the notebook is still running "
                                            "while the tests run; stop it before the tests.")
            f = f.f_back
    if ip is not None:
        _verify_shell(ip)


def _current_thread_id():
    import threading
    return threading.get_ident()


def _from_notebook(obj) -> bool:
    """A function (or bound method) defined by code in the notebook."""
    func = getattr(obj, "__func__", obj)
    code = getattr(func, "__code__", None) if isinstance(func, types.FunctionType) else None
    return code is not None and (func.__module__ == "__main__" or _is_cell_file(code.co_filename))


def _owner_ok(obj) -> bool:
    mod = getattr(obj, "__module__", None) or getattr(type(obj), "__module__", "") or ""
    return mod.split(".")[0] in _HOOK_OWNERS


def _disarm(ip) -> list:
    """Remove the hooks that can hide a failure or watch the tests; what was found.

    They are removed before anything is reported, so that the error raised reaches the grader
    like any other."""
    problems = []
    if tuple(getattr(ip, "custom_exceptions", ())):
        ip.custom_exceptions = ()
        problems.append("a custom exception handler (set_custom_exc) was installed that can hide test failures.")
    if ip.input_transformers_post or [t for t in ip.input_transformers_cleanup if not _owner_ok(t)]:
        ip.input_transformers_post[:] = []
        ip.input_transformers_cleanup[:] = [t for t in ip.input_transformers_cleanup if _owner_ok(t)]
        problems.append("an input transformer was installed that can rewrite the tests.")
    if [t for t in getattr(ip, "ast_transformers", []) if not _owner_ok(t)]:
        ip.ast_transformers[:] = [t for t in ip.ast_transformers if _owner_ok(t)]
        problems.append("an AST transformer was installed that can rewrite the tests.")
    for event, callbacks in getattr(getattr(ip, "events", None), "callbacks", {}).items():
        bad = [cb for cb in callbacks if not _owner_ok(getattr(cb, "__func__", cb))]
        if bad:
            callbacks[:] = [cb for cb in callbacks if cb not in bad]
            problems.append(f"a '{event}' callback was registered that can watch or change the tests.")
    return problems


def _verify_shell(ip) -> None:
    def genuine(name):
        if name not in vars(ip):
            return True
        v = vars(ip)[name]
        return getattr(v, "__self__", None) is ip and getattr(v, "__func__", None) is getattr(type(ip), name, None)

    patched = [n for n in ("showtraceback", "run_cell", "run_code", "run_ast_nodes", "_showtraceback",
                           "showsyntaxerror", "set_custom_exc", "_run_cell", "run_cell_async")
               if not genuine(n)]
    if patched:
        raise GradingIntegrityError(f"IPython's {patched[0]} was replaced by code in the notebook.")
    for what, obj in (("sys.displayhook", sys.displayhook), ("sys.excepthook", sys.excepthook),
                      ("the display hook", getattr(ip, "displayhook", None)),
                      ("the display publisher", getattr(ip, "display_pub", None)),
                      ("the traceback formatter", getattr(ip, "InteractiveTB", None)),
                      ("sys.stdout", sys.stdout), ("sys.stderr", sys.stderr)):
        if obj is not None and not (_owner_ok(obj) or obj in (sys.__displayhook__, sys.__excepthook__)):
            raise GradingIntegrityError(f"{what} was replaced by code in the notebook.")
        if obj is not None and hasattr(obj, "__dict__") and any(_from_notebook(v) for v in vars(obj).values()):
            raise GradingIntegrityError(f"a method of {what} was replaced by code in the notebook.")


def verify_and_restore(namespace: dict, expected: dict) -> None:
    """verify(), then rebind the names the tests use to the genuine objects in ``namespace``.

    Learner code can rebind a global such as ``check_close = lambda *a: None`` without touching
    any module; the test cell then runs against the genuine functions again.
    """
    verify(expected)
    mods = _modules or sys.modules
    checks = mods.get("helpers.checks") or _import_module("helpers.checks")
    for name in TRUSTED_NAMES:
        if name in namespace or hasattr(checks, name):
            namespace[name] = getattr(checks, name)
    namespace["np"] = mods.get("numpy") or _import_module("numpy")
    if "torch" in mods:
        namespace["torch"] = mods["torch"]


ENTRY = "__rnn_course_guard__"


def arm() -> None:
    """In the grading kernel, before learner code: capture the genuine objects, bind the entry."""
    import threading

    for name in ("numpy", "numpy.testing", "torch", "torch.testing", "helpers.checks", "IPython.core.interactiveshell"):
        try:
            _import_module(name)
        except ImportError:
            continue
    me = sys.modules[__name__]
    snap_modules = dict(sys.modules)
    captured = {}
    for path in critical() + [f"{__name__}.{n}" for n in ("verify", "verify_and_restore", "fingerprint", "_resolve")]:
        try:
            captured[path] = _state(_resolve(path))
        except (ImportError, AttributeError):
            continue
    # a private copy of this module's functions, globals and builtins: later changes to any of
    # them (from the notebook) do not reach the entry point
    g = dict(vars(me))
    g["__builtins__"] = dict(vars(builtins))
    g["_modules"] = snap_modules
    g["_captured"] = captured
    g["_threads"] = {t.ident for t in threading.enumerate()}
    for name, v in list(g.items()):
        if isinstance(v, types.FunctionType) and v.__module__ == __name__:
            g[name] = types.FunctionType(v.__code__, g, v.__name__, v.__defaults__, v.__closure__)
    builtins.__dict__[ENTRY] = g["verify_and_restore"]


def prelude(expected: dict) -> str:
    """The first line of every instrumented test cell."""
    import json
    return f"{ENTRY}(globals(), {json.dumps(expected)})\n"
