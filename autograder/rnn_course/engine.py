"""Grade one learner notebook with nbgrader's autograde steps, in memory.

Each job runs nbgrader's preprocessors on the notebook itself (``_grading_steps``), reading the
course gradebook read-only, in a private temporary folder that is the kernel's working
directory; nothing is written to any gradebook, so jobs never share a writable file. Once
nbgrader's OverwriteCells has restored the test cells from the gradebook, every test cell gets
an integrity check at its top and a completion token at its bottom (rnn_course.tokens; a random
token per test cell, made for this job: it exists only in this process, which the sandboxed
kernel cannot see, and in the source of its own test cell, which the kernel receives only when
that cell runs); a task counts as passed only when its test cell raised nothing, the kernel's
reply to it was "ok" (seen by this process, outside the kernel) and it printed its token.
Scores are computed from the executed notebook, so output on stderr (warnings) costs nothing.

Failure reasons never carry hidden test text: a course check's message (CheckError raised by
helpers.checks when the test cell itself called it) is shown verbatim, any other exception as
its type and a short first line, and every reason is scanned for hidden test source, which is
replaced by "[hidden test]".
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

import nbformat

from . import manifest
from .paths import COURSE_ID, WORK

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

STATUSES = ("ok", "tampered", "timeout", "memory", "kernel_died", "invalid_notebook", "missing", "error")


def memory_message(memory_mb: float | None) -> str:
    """The reason given for the verdict ``memory`` (the poll's and the memory cgroup's)."""
    return f"used more than {memory_mb:.0f} MiB of memory" if memory_mb else "used more memory than allowed"


STUDENT = "learner"            # the learner's id inside the private tree (any folder name works)
COURSE_ERRORS = ("CheckError", "GradingIntegrityError")
HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
WINDOW = 10                    # hidden text this long (not in the released notebook) is redacted


def _frames(traceback) -> list:
    """(kind, where) for each frame of an IPython traceback: ("cell", "7") or ("file", path)."""
    out = []
    for entry in traceback or []:
        text = ANSI.sub("", str(entry))
        m = re.search(r"^\s*Cell In\s*\[(\d+)\]", text, re.M) or re.search(r"^\s*Input In \[(\d+)\]", text, re.M)
        if m:
            out.append(("cell", m.group(1)))
            continue
        m = re.search(r"^\s*File ([^\n]+?)(?::\d+|, line \d+)", text, re.M)
        if m:
            out.append(("file", m.group(1).strip()))
    return out


def _raised_by_course_check(out: dict, count) -> bool:
    """A CheckError raised by the course's own code, called directly from this test cell."""
    import helpers

    helpers_dir = os.path.dirname(os.path.realpath(helpers.__file__))
    guard_file = os.path.realpath(os.path.join(os.path.dirname(__file__), "guard.py"))
    frames = _frames(out.get("traceback"))
    if not frames or frames[0] != ("cell", str(count)):
        return False
    for kind, where in frames[1:]:
        if kind == "cell" and where == str(count):
            continue
        if kind == "file" and (os.path.realpath(where).startswith(helpers_dir + os.sep)
                               or os.path.realpath(where) == guard_file):
            continue
        return False
    return True


class Redactor:
    """Removes hidden test source from text shown to learners."""

    def __init__(self, hidden_sources=(), public: str = ""):
        """``public``: the text learners have anyway (the released notebook) is never redacted."""
        self.lines = set()
        self.windows = set()
        public = " ".join(str(public).split())
        for src in hidden_sources:
            for line in str(src).splitlines():
                line = " ".join(line.split())
                if len(line) >= 20 and re.search(r"[(=\[]", line) and line not in public:
                    self.lines.add(line)
                for i in range(0, max(0, len(line) - WINDOW + 1)):
                    w = line[i:i + WINDOW]
                    if w not in public:
                        self.windows.add(w)

    def whole_lines(self, text: str) -> str:
        """Redact whole hidden code lines (a course check's own message keeps its hints)."""
        flat = " ".join(text.split())
        for line in self.lines:
            if line in flat:
                return "[hidden test]"
        return text

    def any_fragment(self, text: str) -> str:
        """Redact every stretch of text that also occurs in the hidden tests."""
        flat = " ".join(text.split())
        mask = [False] * len(flat)
        for i in range(0, max(0, len(flat) - WINDOW + 1)):
            if flat[i:i + WINDOW] in self.windows:
                for k in range(i, i + WINDOW):
                    mask[k] = True
        if not any(mask):
            return flat
        out, prev = [], False
        for ch, m in zip(flat, mask):
            if m and not prev:
                out.append("[hidden test]")
            elif not m:
                out.append(ch)
            prev = m
        return "".join(out)


def _reason(outputs, count=None, redact: "Redactor | None" = None) -> str | None:
    redact = redact or Redactor()
    for out in outputs:
        if out.get("output_type") == "error":
            ename = str(out.get("ename", "Error"))
            evalue = ANSI.sub("", str(out.get("evalue", ""))).strip().splitlines()
            first = evalue[0].strip() if evalue else ""
            if ename == "NotImplementedError" and not evalue:
                return "not implemented yet (the solution cell still raises NotImplementedError)"
            if ename == "CellTimeoutError":
                return "CellTimeoutError"
            if ename in COURSE_ERRORS and _raised_by_course_check(out, count):
                return redact.whole_lines(f"{ename}: {first}".strip().rstrip(":")[:600])
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]{0,60}", ename):
                ename = "an exception"
            if len(first) > 120:
                first = first[:117] + "..."
            return redact.any_fragment(f"{ename}: {first}".strip().rstrip(":"))
    return None


def _stdout(outputs) -> str:
    return "".join(o.get("text", "") for o in outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def _hidden_sources(stem: str) -> list:
    """The hidden test source of notebook ``stem`` in the course gradebook (for redacting
    reasons), read once per process and gradebook version (a fork server reads it for all its
    jobs)."""
    db = WORK / "gradebook.db"
    st = db.stat()
    version = (st.st_mtime_ns, st.st_size)
    if _HIDDEN.get(stem, (None,))[0] != version:
        from nbgrader.api import Gradebook

        from .release import work_lock
        auto = {t.cell for t in manifest.tasks(stem) if not t.manual}
        hidden = []
        with work_lock(shared=True), Gradebook(f"sqlite:///{db}", COURSE_ID) as gb:
            for cell in gb.find_notebook(stem, stem).source_cells:
                if cell.cell_type == "code" and (cell.name in auto or HIDDEN_BLOCK.search(cell.source or "")):
                    hidden += HIDDEN_BLOCK.findall(cell.source or "") or [cell.source or ""]
        _HIDDEN[stem] = (version, hidden)
    return _HIDDEN[stem][1]


_HIDDEN: dict = {}              # stem -> (gradebook version, hidden test source)
_REDACTORS: dict = {}           # stem -> ((hidden test source, released text), Redactor)


def _redactor(stem: str) -> "Redactor":
    """The Redactor of notebook ``stem`` (hidden test source against the released text), built
    once per process and course version."""
    texts = (_hidden_sources(stem), _public_text(stem))
    if _REDACTORS.get(stem, (None,))[0] != texts:
        _REDACTORS[stem] = (texts, Redactor(*texts))
    return _REDACTORS[stem][1]


def _grading_steps():
    """nbgrader's autograde steps as a grading job runs them on the notebook in memory: the
    sanitizing steps as nbgrader has them (OverwriteCells restores every test cell from the
    gradebook), then InjectTokens (rnn_course.tokens); of the grading steps, Execute
    (rnn_course.execute.GradingExecute) and LimitOutput. Left out are what nbgrader's converter
    does around them that only writes its gradebook or files (the student and submission records,
    SaveAutoGrades, AssignLatePenalties: scores come from the executed notebook, see
    score_executed, and each notebook written to disk and read back between the two passes) or
    touches nothing the scores read (IgnorePattern, ClearMetadataPreprocessor, a second
    CheckCellMetadata). tests/test_roundtrip.py checks that the scores equal those of nbgrader's
    own, complete autograde."""
    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds, LimitOutput,
                                        OverwriteCells, OverwriteKernelspec)

    from .execute import GradingExecute
    from .tokens import InjectTokens
    return ([ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, InjectTokens, CheckCellMetadata],
            [GradingExecute, LimitOutput])


def _gradebook_url() -> str:
    """The course gradebook, opened read-only (the steps above only read it)."""
    from urllib.parse import quote
    return f"sqlite:///file:{quote(str(WORK / 'gradebook.db'))}?mode=ro&uri=true"


def _public_text(stem: str) -> str:
    """All the text of the released notebook (what every learner has)."""
    from .release import released_path
    try:
        nb = nbformat.read(released_path(stem), as_version=4)
    except (OSError, ValueError):
        return ""
    return "\n".join(str(c.source) for c in nb.cells)


def _status_from_log(log: str) -> str:
    if re.search(r"Timeout waiting for IOPub|Timeout waiting for execute reply|CellTimeoutError|"
                 r"ignored the interrupt", log, re.I):
        return "timeout"                                  # a kernel killed after a timeout, too
    if re.search(r"DeadKernel|Kernel died|kernel died", log):
        return "kernel_died"
    return "error"


def grade_prepared(nb: nbformat.NotebookNode, stem: str, learner: str, fingerprints: dict,
                   cell_timeout: int = 60, keep: Path | None = None, execute: bool = True) -> dict:
    """Run nbgrader's autograde steps (``_grading_steps``) on an already repaired notebook;
    return per-task results.

    ``execute`` False leaves out the Execute step (no kernel): rnn_course.worker's warm-up.

    Result: {"status": "ok" | "timeout" | "kernel_died" | "error", "tasks": [...], "message": str}
    with tasks = [{task, cell, score, max_score, manual, passed, reason}].
    """
    import traceback

    from .guard import prelude
    from .nbconfig import tree_config
    from .release import work_lock

    tmp = Path(tempfile.mkdtemp(prefix="rnn-grade-"))
    try:
        cwd = tmp / "autograded" / STUDENT / stem         # the kernel's working directory, as in a tree
        cwd.mkdir(parents=True)
        cfg = tree_config(tmp, cell_timeout)
        cfg.AsyncKernelManager.client_factory = "rnn_course.zygote.GradingKernelClient"
        # no history database per cell; plain tracebacks (IPython's default context mode takes
        # 20-30 ms to format each failing cell: half a second in a blank notebook)
        cfg.Execute.extra_arguments = ["--HistoryManager.enabled=False", "--InteractiveShell.xmode=Plain"]
        tokens = {t.cell: secrets.token_hex(16) for t in manifest.tasks(stem) if not t.manual}
        cfg.InjectTokens.tokens = tokens
        cfg.InjectTokens.prelude = prelude(fingerprints)
        redactor = _redactor(stem)
        resources = {"unique_key": stem, "output_files_dir": f"{stem}_files",
                     "nbgrader": {"student": STUDENT, "assignment": stem, "notebook": stem,
                                  "db_url": _gradebook_url()},
                     "metadata": {"name": stem, "path": str(cwd)}}
        sanitize, grade = _grading_steps()
        nb = grading_notebook(nb)
        replies: dict = {}
        try:
            with work_lock(shared=True):                  # no release rewrites the gradebook meanwhile
                for step in sanitize:
                    nb, resources = step(config=cfg)(nb, resources)
            for step in grade if execute else grade[1:]:
                pp = step(config=cfg)
                try:
                    nb, resources = pp(nb, resources)
                finally:
                    replies = getattr(pp, "replies", replies)
        except Exception as e:  # noqa: BLE001 - a verdict for this notebook, never a stopped batch
            log = "".join(traceback.format_exception(e))
            status = _status_from_log(log)
            msg = {"kernel_died": "the kernel died while running the notebook (os._exit, a crash, or memory)",
                   "timeout": "a cell ran longer than the per-cell time limit and could not be interrupted",
                   }.get(status, "nbgrader could not grade the notebook")
            if status == "error":
                msg += f" ({redactor.any_fragment(f'{type(e).__name__}: {e}'.strip()[:200])})"
            return {"status": status, "tasks": zero_tasks(stem, msg), "message": msg, "log": log[-4000:]}
        if keep is not None:
            keep.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, keep)
        return score_executed(nb, stem, tokens, replies, redactor)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _tagged(cell, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", []) and not cell.get("metadata", {}).get("nbgrader")


def is_experiment(cell) -> bool:
    """A cell of section 4 (tagged "experiment" in solutions/, kept by the release) that no test needs."""
    return _tagged(cell, "experiment")


def is_demo(cell) -> bool:
    """A figure or demonstration in the Learn section (tagged "demo" in solutions/) that no test needs."""
    return _tagged(cell, "demo")


def skipped_in_grading(cell) -> bool:
    """An experiment or demo cell, or a code cell the release adds for the learner (the model
    answer and self-assessment, the self-grade run): nothing graded reads what they define."""
    from .versions import is_course_cell
    return is_experiment(cell) or is_demo(cell) or (
        cell.get("cell_type") == "code" and is_course_cell(cell) and not cell.get("metadata", {}).get("nbgrader"))


def grading_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as graded: without the cells ``skipped_in_grading`` (training runs, timings,
    plots, demonstrations, the course's own self-grade cells); tests/test_structure.py proves no graded or test
    cell depends on them."""
    import copy
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if not skipped_in_grading(c)]
    return out


def zero_tasks(stem: str, reason: str) -> list:
    return [{"task": t.task, "cell": t.cell, "score": None if t.manual else 0.0, "max_score": t.points,
             "manual": t.manual, "passed": False, "reason": None if t.manual else reason}
            for t in manifest.tasks(stem)]


def score_executed(nb: nbformat.NotebookNode, stem: str, tokens: dict, replies: dict | None = None,
                   redact: Redactor | None = None) -> dict:
    """Per-task scores from the executed notebook: a test cell passes when it raised nothing,
    the kernel replied "ok" (``replies``, seen outside the kernel) and it printed its token."""
    redact = redact or Redactor()
    cells = {manifest.nbg(c).get("grade_id"): c for c in nb.cells if manifest.nbg(c).get("grade_id")}
    tasks, status, integrity = [], "ok", []
    for t in manifest.tasks(stem):
        if t.manual:
            tasks.append({"task": t.task, "cell": t.cell, "score": None, "max_score": t.points,
                          "manual": True, "passed": None, "reason": "not auto-graded"})
            continue
        cell = cells.get(t.cell)
        outputs = cell.get("outputs", []) if cell is not None else []
        reason = (_reason(outputs, cell.get("execution_count"), redact) if cell is not None
                  else "test cell missing after grading")
        token = t.cell in tokens and tokens[t.cell] in _stdout(outputs)
        reply_ok = replies is None or replies.get(t.cell) == "ok"
        passed = reason is None and token and reply_ok
        if reason is None and not passed:
            reason = "the test cell did not run to completion"
        if reason == "CellTimeoutError":
            status = "timeout"
            reason = "a cell ran longer than the per-cell time limit"
        if reason and reason.startswith("GradingIntegrityError"):
            integrity.append(reason)
        tasks.append({"task": t.task, "cell": t.cell, "score": t.points if passed else 0.0,
                      "max_score": t.points, "manual": False, "passed": passed, "reason": reason})
    notes = sorted(set(integrity))
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and any(o.get("ename") == "CellTimeoutError" for o in c.get("outputs", [])):
            status = "timeout"
            gid = manifest.nbg(c).get("grade_id")
            if gid and manifest.nbg(c).get("grade") and not manifest.nbg(c).get("solution"):
                what = f"the test cell '{gid}'"              # never quote the test source or the prelude
            else:
                first = (c.source.strip().splitlines() or [""])[0][:60]
                what = f"({redact.any_fragment(first)!r})"
            notes.append(f"cell {i} {what} ran longer than the per-cell time limit")
    if integrity and status == "ok":
        status = "tampered"
    return {"status": status, "tasks": tasks, "message": "; ".join(notes)}
