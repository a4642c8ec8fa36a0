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

from . import guard, manifest
from .batch import Limits, run_jobs
from .grading import make_job
from .release import ensure_gradebook, released_path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def collect(folder: Path, limits: Limits | None = None, n_jobs: int | None = None, progress: bool = True) -> list[dict]:
    """One row per question: number, stem, title, level, score, max_score, status."""
    folder = Path(folder)
    cache_dir = folder / ".progress"
    cache_dir.mkdir(parents=True, exist_ok=True)
    rows, todo = [], []
    stems = [q.stem for q in QUESTIONS if (manifest.SOLUTIONS / f"{q.stem}.ipynb").exists()]
    ensure_gradebook(stems)
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
        rel = released_path(q.stem)
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
        fps = guard.fingerprints()
        results = run_jobs([make_job(nb, row["stem"], "me", fps) for row, nb, _, _ in todo],
                           limits or Limits(), n_jobs, progress)
        for (row, _, digest, cached), res in zip(todo, results):
            score = sum(t["score"] or 0 for t in res["tasks"] if not t["manual"])
            status = "complete" if res["status"] == "ok" and score == row["max_score"] else res["status"]
            if status == "ok":
                status = "in progress"
            row.update(score=score, status=status)
            cached.write_text(json.dumps({"digest": digest, "score": score, "status": status,
                                          "tasks": res["tasks"]}))
    return rows


def table(rows: list[dict]) -> str:
    lines = [f"{'#':>2}  {'question':<50} {'level':<7} {'points':>9}  status"]
    for r in rows:
        lines.append(f"{r['number']:>2}  {r['title'][:50]:<50} {r['level']:<7} "
                     f"{r['score']:>4g} / {r['max_score']:<3g} {r['status']}")
    got, most = sum(r["score"] for r in rows), sum(r["max_score"] for r in rows)
    done = sum(r["status"] == "complete" for r in rows)
    lines.append(f"total: {got:g} / {most:g} auto-graded points; {done} of {len(rows)} questions complete")
    return "\n".join(lines)


def html_table(rows: list[dict]) -> str:
    body = "".join(
        f"<tr><td>{r['number']}</td><td><a href='{r['stem']}.ipynb'>{html.escape(r['title'])}</a></td>"
        f"<td>{chip_html(r['level'])}</td><td>{r['score']:g} / {r['max_score']:g}</td><td>{r['status']}</td></tr>"
        for r in rows)
    return ("<table><tr><th>#</th><th>question</th><th>level</th><th>points</th><th>status</th></tr>"
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

    from .paths import COURSE
    folder = Path(folder) if folder else COURSE
    rows = collect(folder, progress=False)
    png = chart(rows, folder / ".progress" / "progress.png")
    display(HTML(html_table(rows)))
    display(Image(filename=str(png)))
    return rows
