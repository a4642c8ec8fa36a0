"""One grading job in its own process: ``python -m rnn_course.worker JOB.json RESULT.json``.

The parent (rnn_course.batch) watches this process for the wall-clock and memory limits.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat


def run(job: dict) -> dict:
    from . import engine
    from .prepare import InvalidNotebook, read_submission, repair

    stem, learner = job["stem"], job["learner"]
    try:
        sub = read_submission(job["submission"])
    except InvalidNotebook as e:
        msg = f"not a valid notebook: {e}"
        return {"status": "invalid_notebook", "tasks": engine.zero_tasks(stem, msg), "message": msg, "notes": []}
    released = nbformat.read(job["released"], as_version=4)
    prepared = repair(sub, released)
    keep = Path(job["keep"]) if job.get("keep") else None
    result = engine.grade_prepared(prepared.nb, stem, learner, job["fingerprints"],
                                   cell_timeout=job.get("cell_timeout", 60), keep=keep)
    from .grading import version_warning
    warning = version_warning(job["submission"], stem)
    result["notes"] = ([warning] if warning else []) + prepared.notes
    if prepared.tampered and result["status"] == "ok":
        result["status"] = "tampered"
    if prepared.tampered:
        result["message"] = "; ".join(filter(None, [result.get("message"), *prepared.notes]))
    return result


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(argv[0]).read_text())
    result = run(job)
    Path(argv[1]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
