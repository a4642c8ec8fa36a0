"""High-level grading: one learner notebook (check) or a folder of submissions (grade)."""
from __future__ import annotations

from pathlib import Path

from . import engine, manifest
from .batch import Limits, close_servers, prestart, run_job, run_jobs
from .paths import COURSE, resolve_stem, solution_stems
from .release import ensure_gradebook, released_path


class NotACourseNotebook(ValueError):
    pass


def locate(target: str) -> tuple[Path, str]:
    """'03' or a path -> (notebook path, stem); clear errors for everything else."""
    p = Path(target)
    if p.suffix == ".ipynb" or p.exists():
        if not p.exists():
            raise NotACourseNotebook(f"{p} does not exist.")
        if p.is_dir():
            raise NotACourseNotebook(f"{p} is a folder; pass one notebook, e.g. course/03_bptt.ipynb.")
        if p.suffix != ".ipynb":
            raise NotACourseNotebook(f"{p} is not a notebook (.ipynb); pass e.g. course/03_bptt.ipynb.")
        try:
            stem = resolve_stem(p.name)
        except KeyError as e:
            raise NotACourseNotebook(str(e.args[0])) from None
        return p, stem
    try:
        stem = resolve_stem(target)
    except KeyError as e:
        raise NotACourseNotebook(str(e.args[0])) from None
    from .workspace import folder
    where, _ = folder()
    path = where / f"{stem}.ipynb"
    if not path.exists():
        if where != COURSE:
            raise NotACourseNotebook(f"{path} is missing; `rnn-course workspace` copies it from the release "
                                     f"(or `rnn-course reset {stem[:2]}`).")
        raise NotACourseNotebook(f"{path} is missing; run `rnn-course release` to regenerate course/.")
    return path, stem


def locate_note(target: str) -> str | None:
    """The note to print when a number resolves to course/ because there is no workspace."""
    p = Path(target)
    if p.suffix == ".ipynb" or p.exists():
        return None
    from .workspace import folder
    return folder()[1]


def version_warning(path: Path, stem: str) -> str | None:
    """A message when ``path`` was released from another notebook or an older course version."""
    import json

    from .release import course_version
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {}).get("rnn_course", {})
    except (OSError, ValueError, AttributeError):
        return None
    if meta.get("notebook") and meta["notebook"] != stem:
        return (f"this file was released as {meta['notebook']}.ipynb but is named {stem}.ipynb; "
                f"rename it back to {meta['notebook']}.ipynb so it is graded against the right tests.")
    if meta.get("version") and meta["version"] != course_version(stem):
        from .versions import known_version
        kind = ("an earlier release" if known_version(stem, meta["version"])
                else "an older version of the course that this checkout does not know")
        return (f"this notebook comes from {kind} (older version of the course, {meta['version']}): "
                "it is graded against the current tests. `rnn-course update` brings your workspace "
                "to the current release and keeps your cells (it backs up the old files first).")
    return None


def make_job(path: Path, stem: str, learner: str, fingerprints: dict | None = None,
             keep: Path | None = None) -> dict:
    """A grading job. ``fingerprints`` None: the grading process takes them from a clean state
    (its fork server's start, or its own fresh interpreter: rnn_course.worker.job_fingerprints),
    so the grader itself never imports torch."""
    return {"submission": str(Path(path).resolve()), "stem": stem, "learner": learner,
            "released": str(released_path(stem)), "fingerprints": fingerprints,
            "keep": str(keep) if keep else None}


def check(target: str, limits: Limits | None = None, learner: str = "me") -> dict:
    path, stem = locate(target)
    ensure_gradebook([stem])
    limits = limits or Limits()
    try:
        prestart(limits, [stem], 1)
        return run_job(make_job(path, stem, learner), limits)
    finally:
        close_servers()


def missing_result(learner: str, stem: str) -> dict:
    msg = f"no {stem}.ipynb in the submission"
    return {"learner": learner, "stem": stem, "status": "missing", "message": msg, "notes": [],
            "tasks": engine.zero_tasks(stem, msg), "seconds": 0.0, "peak_mb": 0.0}


class NoSubmissions(ValueError):
    """The submissions folder holds nothing to grade."""


NO_ANSWER = "YOUR ANSWER HERE"


def capture_answers(result: dict, path: Path | None) -> dict:
    """Copy the text of each hand-graded cell (the interview answer) into ``result``'s tasks.

    ``task["answer"]`` is the learner's text ("" when the notebook is missing, unreadable or the
    cell still holds the released stub), so the answers page and manual.csv never need the
    submission again.
    """
    from .manifest import nbg
    from .prepare import read_submission
    cells = {}
    if path is not None:
        try:
            for cell in read_submission(path).cells:
                meta = nbg(cell)
                gid = meta.get("grade_id") if isinstance(meta, dict) else None
                if isinstance(gid, str) and gid not in cells:    # the first copy, as prepare keeps it
                    src = cell.get("source", "")
                    cells[gid] = "".join(src) if isinstance(src, list) else str(src)
        except Exception:  # noqa: BLE001 - a broken file (InvalidNotebook, OSError, odd JSON) never stops a batch
            cells = {}
    cell_of = {t.task: t.cell for t in manifest.tasks(result["stem"]) if t.manual}
    for t in result["tasks"]:
        if t["manual"]:
            text = cells.get(cell_of.get(t["task"], t.get("cell")), "").strip()
            t["answer"] = "" if text == NO_ANSWER else text
            t.setdefault("comment", "")
    return result


def _stray(folder: Path, stems: list[str]) -> str:
    """Notebooks in a learner folder that are not named like a course notebook."""
    known = set(solution_stems())
    extra = sorted(p.name for p in folder.glob("*.ipynb") if p.stem not in known)
    return (f" (found {', '.join(extra)}: notebooks are graded by their course name; rename the file "
            "or collect the export with `rnn-course collect`)") if extra else ""


def grade_folder(folder: Path, limits: Limits | None = None, n_jobs: int | None = None,
                 stems: list[str] | None = None, progress: bool = True, cluster: str | None = None) -> list[dict]:
    """Grade folder/<learner>/<NN_name>.ipynb for every learner and the notebooks ``stems``.

    ``cluster``: the address of a dask scheduler (tcp://HOST:8786) whose workers grade the jobs
    (rnn_course.cluster); otherwise ``n_jobs`` local worker slots.

    Only ``stems`` (default: every notebook) are graded and reported; a learner without one of
    them gets a ``missing`` result for it. Raises NotADirectoryError / NoSubmissions when the
    folder holds nothing to grade.
    """
    folder = Path(folder)
    if not folder.exists():
        raise FileNotFoundError(f"{folder} does not exist (pass a folder of submissions <learner>/<NN_name>.ipynb)")
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder of submissions (<learner>/<NN_name>.ipynb).")
    stems = list(stems or solution_stems())
    learners = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not learners:
        flat = sorted(p.name for p in folder.glob("*.ipynb"))
        hint = (f"; it holds notebooks ({flat[0]} ...): is it one learner's folder, or an LMS export? "
                "`rnn-course collect` arranges an export" if flat else "")
        raise NoSubmissions(f"{folder} has no learner folders (<learner>/<NN_name>.ipynb){hint}")
    if not any((folder / learner / f"{stem}.ipynb").exists() for learner in learners for stem in stems):
        raise NoSubmissions(f"no learner folder in {folder} holds any of {', '.join(stems)} "
                            "(expected <learner>/<NN_name>.ipynb)")
    ensure_gradebook(stems)
    if not cluster:
        prestart(limits or Limits(), [stem for learner in learners for stem in stems
                                      if (folder / learner / f"{stem}.ipynb").exists()], n_jobs)
    try:
        jobs, slots, results, paths = [], [], [], []
        for learner in learners:
            for stem in stems:
                nb = folder / learner / f"{stem}.ipynb"
                if nb.exists():
                    slots.append(len(results))
                    results.append(None)
                    paths.append(nb)
                    jobs.append(make_job(nb, stem, learner))
                else:
                    res = missing_result(learner, stem)
                    stray = _stray(folder / learner, stems)
                    if stray:
                        res["message"] += stray
                        for t in res["tasks"]:
                            if not t["manual"]:
                                t["reason"] = res["message"]
                    results.append(capture_answers(res, None))
        if cluster:
            from . import cluster as on_cluster
            graded = on_cluster.run_jobs(jobs, limits or Limits(), cluster, progress)
        else:
            graded = run_jobs(jobs, limits or Limits(), n_jobs, progress)
    except BaseException:
        close_servers()                                 # the prestarted servers
        raise
    for slot, nb, res in zip(slots, paths, graded):
        results[slot] = capture_answers(res, nb)
    return results
