"""Class statistics from a grades CSV: which concept did the workshop miss?"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from .report import read_csv


def sidecar(csv_path: Path) -> Path:
    return Path(csv_path).with_suffix(".json")


def compute(csv_path: Path) -> list[dict]:
    rows = read_csv(csv_path)
    reasons = {}
    side = sidecar(csv_path)
    if side.exists():
        for r in json.loads(side.read_text()):
            for t in r["tasks"]:
                if not t["manual"] and not t["passed"]:
                    reasons[(r["learner"], r["stem"], t["task"])] = t["reason"] or r["status"]
    groups = defaultdict(list)
    for row in rows:
        if row["status"] == "manual":
            continue
        groups[(row["notebook"], row["task"])].append(row)
    out = []
    for (nb, task), items in groups.items():
        full = sum(float(r["score"] or 0) >= float(r["max_score"]) for r in items)
        fails = Counter(reasons.get((r["learner"], nb, task), r["status"]) for r in items
                        if float(r["score"] or 0) < float(r["max_score"]))
        common = fails.most_common(1)[0] if fails else ("", 0)
        out.append({"notebook": nb, "task": task, "learners": len(items), "full": full,
                    "share_full": full / len(items), "common_failure": common[0], "failure_count": common[1]})
    return sorted(out, key=lambda r: (r["notebook"], r["task"]))


def table(stats: list[dict]) -> str:
    lines = [f"{'notebook':<26} {'task':<24} {'full marks':>11}  most common failure"]
    for s in stats:
        why = f"{s['common_failure'][:70]} ({s['failure_count']})" if s["failure_count"] else ""
        lines.append(f"{s['notebook']:<26} {s['task']:<24} {s['full']:>3}/{s['learners']:<3} {s['share_full']:>4.0%}  {why}")
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
