"""Learner progress over the fifteen notebooks: a table and a chart coloured by difficulty.

Only notebooks that changed since their last grading are graded again (results are cached by
the notebook's content hash in <folder>/.progress/). Notebooks identical to the released ones
are "not started" and are not graded at all.
"""
from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path

from helpers.card import chip_html
from helpers.questions import LEVEL_COLOURS, QUESTIONS

from . import manifest
from .batch import Limits, close_servers, prestart, run_jobs
from .grading import make_job
from .paths import COURSE
from .release import ensure_gradebook


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def collect(folder: Path, limits: Limits | None = None, n_jobs: int | None = None, progress: bool = True) -> list[dict]:
    """One row per question: number, stem, title, level, score, max_score, status."""
    folder = Path(folder)
    cache_dir = folder / ".progress"
    cache_dir.mkdir(parents=True, exist_ok=True)
    rows, todo = [], []
    stems = [q.stem for q in QUESTIONS if (manifest.SOLUTIONS / f"{q.stem}.ipynb").exists()]
    for q in QUESTIONS:
        if q.stem not in stems:
            continue
        row = {"number": q.number, "stem": q.stem, "title": q.title, "level": q.level,
               "score": 0.0, "max_score": manifest.auto_max(q.stem), "status": "not started"}
        rows.append(row)
        nb = folder / q.notebook
        if not nb.exists():
            row["status"] = "missing"
            continue
        digest = _digest(nb)
        rel = COURSE / q.notebook                       # as handed out: not started
        if rel.exists() and digest == _digest(rel):
            continue
        cached = cache_dir / f"{q.stem}.json"
        if cached.exists():
            data = json.loads(cached.read_text())
            if data.get("digest") == digest:
                row.update(score=data["score"], status=data["status"])
                continue
        todo.append((row, nb, digest, cached))
    if todo:
        ensure_gradebook(sorted({row["stem"] for row, _, _, _ in todo}))    # only what is graded
        prestart(limits or Limits(), [row["stem"] for row, _, _, _ in todo], n_jobs)
        try:
            jobs = [make_job(nb, row["stem"], "me") for row, nb, _, _ in todo]
        except BaseException:
            close_servers()                             # the prestarted servers
            raise
        results = run_jobs(jobs, limits or Limits(), n_jobs, progress)
        for (row, _, digest, cached), res in zip(todo, results):
            score, status = _summary(res, row["max_score"])
            row.update(score=score, status=status)
            cached.write_text(json.dumps({"digest": digest, "score": score, "status": status,
                                          "tasks": res["tasks"]}))
    from .selfgrade import read_record
    for row in rows:
        sg = read_record("selfgrade", row["stem"], folder)
        sa = read_record("self_assessed", row["stem"], folder)
        row["self_grade"] = sg["score"] if sg else None
        row["self_assessed"] = sa["score"] if sa else None
        row["self_assessed_max"] = sa["max_score"] if sa else None
    return rows


def _summary(res: dict, max_score: float) -> tuple[float, str]:
    score = sum(t["score"] or 0 for t in res["tasks"] if not t["manual"])
    status = "complete" if res["status"] == "ok" and score == max_score else res["status"]
    if status == "ok":
        status = "in progress"
    return score, status


def record_check(path: Path, stem: str, result: dict) -> Path:
    """`rnn-course check` leaves its result where `progress` looks first (by file content)."""
    path = Path(path)
    cached = path.parent / ".progress" / f"{stem}.json"
    cached.parent.mkdir(parents=True, exist_ok=True)
    score, status = _summary(result, manifest.auto_max(stem))
    cached.write_text(json.dumps({"digest": _digest(path), "score": score, "status": status,
                                  "tasks": result["tasks"]}))
    return cached


def _opt(x, most=None) -> str:
    if x is None:
        return "-"
    return f"{x:g}" if most is None else f"{x:g}/{most:g}"


def review_line(folder: Path) -> str:
    """The mock interview's review state (notebook 16): prompts answered, due now, weakest topics."""
    from datetime import datetime, timezone

    from helpers.interview import InterviewError, Schedule
    path = Path(folder) / ".review" / "schedule.json"
    try:
        sched = Schedule.load(path)
    except InterviewError as e:
        return f"review: {e}"
    if not sched.entries:
        return "review: no mock interview yet (16_mock_interview.ipynb)"
    now = datetime.now(timezone.utc)
    due = sum(1 for i in sched.entries if (sched.due(i) or now) <= now)
    weak = sorted(sched.strength().items(), key=lambda kv: kv[1])[:3]
    weakest = ", ".join(f"Q{q} (box {b:.1f})" for q, b in weak) or "-"
    return (f"review: {len(sched.entries)} prompt(s) answered in the mock interview, {due} due now; "
            f"weakest: {weakest}")


def table(rows: list[dict]) -> str:
    """Auto-graded points (check, from the saved file), the last in-notebook self-grade (live
    kernel) and the self-assessed interview points, each in its own column."""
    lines = [f"{'#':>2}  {'question':<44} {'level':<7} {'checked':>9}  {'self-grade':>10}  "
             f"{'interview':>9}  status"]
    for r in rows:
        lines.append(f"{r['number']:>2}  {r['title'][:44]:<44} {r['level']:<7} "
                     f"{r['score']:>4g} / {r['max_score']:<3g} {_opt(r.get('self_grade')):>10}  "
                     f"{_opt(r.get('self_assessed'), r.get('self_assessed_max')):>9}  {r['status']}")
    got, most = sum(r["score"] for r in rows), sum(r["max_score"] for r in rows)
    done = sum(r["status"] == "complete" for r in rows)
    sa = [r for r in rows if r.get("self_assessed") is not None]
    lines.append(f"total: {got:g} / {most:g} auto-graded points; {done} of {len(rows)} questions complete")
    lines.append("self-assessed interview answers: "
                 + (f"{sum(r['self_assessed'] for r in sa):g} / {sum(r['self_assessed_max'] for r in sa):g} "
                    f"points over {len(sa)} answer(s) (not part of the auto-graded total)" if sa else "none yet"))
    return "\n".join(lines)


def html_table(rows: list[dict]) -> str:
    body = "".join(
        f"<tr><td>{r['number']}</td><td><a href='{r['stem']}.ipynb'>{html.escape(r['title'])}</a></td>"
        f"<td>{chip_html(r['level'])}</td><td>{r['score']:g} / {r['max_score']:g}</td>"
        f"<td>{_opt(r.get('self_grade'))}</td><td>{_opt(r.get('self_assessed'), r.get('self_assessed_max'))}</td>"
        f"<td>{r['status']}</td></tr>"
        for r in rows)
    return ("<table><tr><th>#</th><th>question</th><th>level</th><th>points (check)</th>"
            "<th>self-grade (kernel)</th><th>interview (self-assessed)</th><th>status</th></tr>"
            + body + "</table>")


def chart(rows: list[dict], path: Path) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    fig, ax = plt.subplots(figsize=(9, 3.2))
    xs = [r["number"] for r in rows]
    ax.bar(xs, [r["max_score"] for r in rows], color="#e0e0e0", label="max")
    ax.bar(xs, [r["score"] for r in rows], color=[LEVEL_COLOURS[r["level"]] for r in rows])
    ax.set_xticks(xs)
    ax.set_xlabel("question")
    ax.set_ylabel("auto-graded points")
    ax.set_title("Progress: points per question (colour = difficulty)")
    ax.legend(handles=[Patch(color=c, label=l) for l, c in LEVEL_COLOURS.items()]
              + [Patch(color="#e0e0e0", label="still to earn")], loc="upper left", fontsize=8, ncol=4)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def show_progress(folder: str | Path | None = None):
    """For the course index: grade what changed, display the table and the chart inline."""
    from IPython.display import HTML, Image, display

    from .workspace import folder as learner_folder
    if folder:
        folder = Path(folder)
    else:
        folder, note = learner_folder()
        if note:
            print(f"note: {note}")
    rows = collect(folder, progress=False)
    png = chart(rows, folder / ".progress" / "progress.png")
    display(HTML(html_table(rows)))
    display(Image(filename=str(png)))
    print(review_line(folder))
    return rows
