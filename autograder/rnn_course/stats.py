"""Class statistics from a grades CSV: which concept did the workshop miss, and who missed it?

Everything is read from the CSV written by `rnn-course grade` (or `merge`), so the statistics
cover exactly the notebooks that were graded.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from .report import NotAGradesFile, read_csv


def sidecar(csv_path: Path) -> Path:
    """The full results (JSON) written next to a grades CSV."""
    return Path(csv_path).with_suffix(".json")


def load(csv_path: Path, notebooks: list[str] | None = None) -> list[dict]:
    """The rows of a grades CSV, optionally only those of ``notebooks`` (numbers or names)."""
    rows = read_csv(csv_path)
    if notebooks:
        graded = sorted({r["notebook"] for r in rows})
        wanted = set()
        for key in notebooks:
            hit = [s for s in graded if s == key or (key.isdigit() and int(s[:2]) == int(key))]
            if not hit:
                raise NotAGradesFile(f"notebook '{key}' was not graded in {csv_path} "
                                     f"(it holds {', '.join(graded)})")
            wanted.update(hit)
        rows = [r for r in rows if r["notebook"] in wanted]
    return rows


def _lost(row: dict) -> bool:
    return float(row["score"] or 0) < float(row["max_score"])


def compute(rows: list[dict]) -> list[dict]:
    """Per task: learners, how many lost points, and every reason with its count (most common first).

    Hand-graded tasks count once they are graded (their reasons are the grader's comments).
    """
    if not isinstance(rows, list):
        rows = load(rows)
    groups = defaultdict(list)
    for row in rows:
        if row["status"] == "manual" and row["score"] == "":
            continue
        groups[(row["notebook"], row["task"])].append(row)
    out = []
    for (nb, task), items in groups.items():
        lost = [r for r in items if _lost(r)]
        reasons = Counter((r["reason"] or r["status"]) for r in lost).most_common()
        out.append({"notebook": nb, "task": task, "learners": len(items), "lost": len(lost),
                    "share_lost": len(lost) / len(items), "full": len(items) - len(lost),
                    "share_full": 1 - len(lost) / len(items), "reasons": reasons,
                    "manual": items[0]["status"] == "manual"})
    order = {}
    for row in rows:
        order.setdefault((row["notebook"], row["task"]), len(order))
    return sorted(out, key=lambda s: order[(s["notebook"], s["task"])])


def table(stats: list[dict]) -> str:
    """Per task the share of learners who lost it, then every reason in full with its count."""
    w = max([len("notebook / task")] + [len(f"{s['notebook']} {s['task']}") for s in stats])
    lines = [f"{'notebook / task':<{w}}  {'lost it':>12}"]
    for s in stats:
        lines.append(f"{s['notebook'] + ' ' + s['task']:<{w}}  {s['lost']:>3}/{s['learners']:<3} {s['share_lost']:>4.0%}"
                     + ("  (graded by hand)" if s["manual"] else ""))
        for reason, n in s["reasons"]:
            lines.append(f"    {n:>3} x  {reason}")
    return "\n".join(lines)


def matrix(rows: list[dict]) -> tuple[list[str], list[tuple[str, str]], dict]:
    """(learners, [(notebook, task)], {(learner, (notebook, task)): fraction of points or None})."""
    learners = sorted({r["learner"] for r in rows})
    tasks = list(dict.fromkeys((r["notebook"], r["task"]) for r in rows))
    cells = {}
    for r in rows:
        mx = float(r["max_score"])
        cells[(r["learner"], (r["notebook"], r["task"]))] = (
            None if r["score"] == "" else (float(r["score"]) / mx if mx else 1.0))
    return learners, tasks, cells


SYMBOLS = "+ full points   x no points   ~ part of the points   ? graded by hand, not yet   . no row"


def matrix_table(rows: list[dict]) -> str:
    """Learner x task as text: tasks down, learners across (numbered, names listed above)."""
    learners, tasks, cells = matrix(rows)
    lines = ["learners: " + "  ".join(f"{i + 1}={name}" for i, name in enumerate(learners)),
             "cells: " + SYMBOLS]
    w = max(len(f"{nb[:2]} {task}") for nb, task in tasks)
    cw = max(2, len(str(len(learners))))
    lines.append(f"{'':<{w}}  " + " ".join(f"{i + 1:>{cw}}" for i in range(len(learners))))
    for nb, task in tasks:
        marks = []
        for learner in learners:
            v = cells.get((learner, (nb, task)), "none")
            marks.append("." if v == "none" else "?" if v is None else "+" if v >= 1 else "x" if v <= 0 else "~")
        lines.append(f"{nb[:2] + ' ' + task:<{w}}  " + " ".join(f"{m:>{cw}}" for m in marks))
    return "\n".join(lines)


def chart(stats: list[dict], path: Path) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.questions import BY_STEM, LEVEL_COLOURS

    fig, ax = plt.subplots(figsize=(8, max(3, 0.25 * len(stats))))
    labels = [f"{s['notebook'][:2]} {s['task']}" for s in stats]
    colours = [LEVEL_COLOURS[BY_STEM[s["notebook"]].level] if s["notebook"] in BY_STEM else "#777" for s in stats]
    ax.barh(range(len(stats)), [100 * s["share_full"] for s in stats], color=colours)
    ax.set_yticks(range(len(stats)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of learners with full points")
    ax.set_title("Which concepts did the class get? (colour = difficulty)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def heatmap(rows: list[dict], path: Path) -> Path:
    """Learner x task heatmap: share of the task's points (green full, red none, grey not graded)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    learners, tasks, cells = matrix(rows)
    grid = np.full((len(learners), len(tasks)), np.nan)
    for i, learner in enumerate(learners):
        for j, key in enumerate(tasks):
            v = cells.get((learner, key))
            if v is not None:
                grid[i, j] = v
    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#bbbbbb")
    fig, ax = plt.subplots(figsize=(max(5, 0.32 * len(tasks) + 2), max(2.5, 0.3 * len(learners) + 1.5)))
    im = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(tasks)), [f"{nb[:2]} {t}" for nb, t in tasks], rotation=90, fontsize=7)
    ax.set_yticks(range(len(learners)), learners, fontsize=7)
    ax.set_title("Who lost what (share of each task's points; grey: not graded yet)", fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.03)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
