"""Tables, CSV and HTML feedback from grading results (never any hidden test source)."""
from __future__ import annotations

import csv
import html
from pathlib import Path

from helpers.card import chip_html
from helpers.questions import BY_STEM

CSV_COLUMNS = ["learner", "notebook", "task", "score", "max_score", "status"]


def auto_totals(result: dict) -> tuple[float, float]:
    auto = [t for t in result["tasks"] if not t["manual"]]
    return sum(t["score"] or 0 for t in auto), sum(t["max_score"] for t in auto)


def _fmt(x) -> str:
    return f"{x:g}"


def table(result: dict) -> str:
    """Plain-text table: task, points / max, reason for each task lost."""
    rows = [("task", "points", "why")]
    for t in result["tasks"]:
        if t["manual"]:
            rows.append((t["task"], f"- / {_fmt(t['max_score'])}", "not auto-graded (compare with the model answer)"))
        else:
            rows.append((t["task"], f"{_fmt(t['score'])} / {_fmt(t['max_score'])}",
                         "" if t["passed"] else (t["reason"] or "")))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    lines = [f"{a:<{w0}}  {b:>{w1}}  {c}".rstrip() for a, b, c in rows]
    lines.insert(1, "-" * min(100, max(len(line) for line in lines)))
    got, most = auto_totals(result)
    lines.append("-" * len(lines[1]))
    lines.append(f"auto-graded score: {_fmt(got)} / {_fmt(most)}    status: {result['status']}")
    if result.get("message") and result["status"] != "ok":
        lines.append(f"note: {result['message']}")
    return "\n".join(lines)


def write_csv(results: list, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for r in results:
            for t in r["tasks"]:
                score = "" if t["manual"] else _fmt(t["score"])
                status = "manual" if t["manual"] else r["status"]
                w.writerow([r["learner"], r["stem"], t["task"], score, _fmt(t["max_score"]), status])


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def feedback_html(result: dict) -> str:
    """A self-contained HTML page: per task the points, the test's message and a hint."""
    stem = result["stem"]
    q = BY_STEM.get(stem)
    title = f"Q{q.number}. {html.escape(q.title)} {chip_html(q.level)}" if q else html.escape(stem)
    got, most = auto_totals(result)
    rows = []
    for t in result["tasks"]:
        if t["manual"]:
            pts, why, colour = f"– / {_fmt(t['max_score'])}", "Not auto-graded: compare your answer with the model answer and rubric.", "#777"
        elif t["passed"]:
            pts, why, colour = f"{_fmt(t['score'])} / {_fmt(t['max_score'])}", "All visible and hidden checks passed.", "#2e7d32"
        else:
            pts, colour = f"{_fmt(t['score'])} / {_fmt(t['max_score'])}", "#c62828"
            why = html.escape(t["reason"] or "failed") + ("<br><small>Hint: run the visible checks under the task, "
                                                           "then test other shapes and batch sizes yourself.</small>")
        rows.append(f'<tr><td><code>{html.escape(t["task"])}</code></td>'
                    f'<td style="color:{colour};font-weight:bold;white-space:nowrap">{pts}</td><td>{why}</td></tr>')
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.get("notes", []))
    status = html.escape(result["status"])
    msg = html.escape(result.get("message") or "")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Feedback: {html.escape(stem)}</title>
<style>body{{font-family:sans-serif;max-width:900px;margin:2em auto}}td,th{{padding:4px 10px;
border-bottom:1px solid #ddd;text-align:left;vertical-align:top}}</style></head><body>
<h2>{title}</h2>
<p>Learner: <b>{html.escape(result.get('learner', ''))}</b> &middot; status: <b>{status}</b>
&middot; auto-graded score: <b>{_fmt(got)} / {_fmt(most)}</b></p>
{f'<p>{msg}</p>' if msg and result['status'] != 'ok' else ''}
<table><tr><th>task</th><th>points</th><th>feedback</th></tr>{''.join(rows)}</table>
{f'<h3>Grading notes</h3><ul>{notes}</ul>' if notes else ''}
<p><small>Hidden tests are not shown. Scores come from nbgrader run on a copy of your notebook
with the course's test cells restored.</small></p>
</body></html>
"""


def write_feedback(result: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(feedback_html(result), encoding="utf-8")
    return path
