"""Tables, CSV and HTML feedback from grading results (never any hidden test source)."""
from __future__ import annotations

import csv
import html
import io
import os
from pathlib import Path

from helpers.card import chip_html
from helpers.questions import BY_STEM

CSV_COLUMNS = ["learner", "notebook", "task", "score", "max_score", "status", "reason"]


class NotAGradesFile(ValueError):
    """A CSV that `rnn-course grade` did not write (or a file that is not a CSV at all)."""


def auto_totals(result: dict) -> tuple[float, float]:
    auto = [t for t in result["tasks"] if not t["manual"]]
    return sum(t["score"] or 0 for t in auto), sum(t["max_score"] for t in auto)


def manual_totals(result: dict) -> tuple[float, float, int]:
    """(points given by hand, their maximum, number of manual tasks not graded yet)."""
    manual = [t for t in result["tasks"] if t["manual"]]
    return (sum(t["score"] or 0 for t in manual), sum(t["max_score"] for t in manual),
            sum(t["score"] is None for t in manual))


def one_line(text) -> str:
    return " ".join(str(text or "").split())


def _fmt(x) -> str:
    return f"{x:g}"


def table(result: dict) -> str:
    """Plain-text table: task, points / max, reason for each task lost."""
    rows = [("task", "points", "why")]
    for t in result["tasks"]:
        if t["manual"] and t["score"] is not None:
            rows.append((t["task"], f"{_fmt(t['score'])} / {_fmt(t['max_score'])}",
                         "graded by hand" + (f": {one_line(t.get('comment'))}" if t.get("comment") else "")))
        elif t["manual"]:
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


def csv_rows(results: list) -> list[list[str]]:
    """One row per learner, notebook and task (CSV_COLUMNS).

    ``reason`` is the one-line reason an auto-graded task lost points (empty when full); for the
    hand-graded interview answer (status ``manual``) the score stays empty until it is graded
    and ``reason`` holds the grader's comment.
    """
    rows = []
    for r in results:
        for t in r["tasks"]:
            if t["manual"]:
                score = "" if t["score"] is None else _fmt(t["score"])
                status, reason = "manual", one_line(t.get("comment"))
            else:
                score, status = _fmt(t["score"] or 0), r["status"]
                reason = "" if t["passed"] else one_line(t["reason"] or r.get("message") or r["status"])
            rows.append([r["learner"], r["stem"], t["task"], score, _fmt(t["max_score"]), status, reason])
    return rows


def atomic_write(path: Path, text: str) -> None:
    """Write ``path`` through a temporary file and a rename: never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


def csv_text(header: list, rows: list) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_csv(results: list, path: Path) -> None:
    atomic_write(path, csv_text(CSV_COLUMNS, csv_rows(results)))


def read_csv(path: Path) -> list[dict]:
    """The rows of a grades CSV; NotAGradesFile when it is not one."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist (make it with `rnn-course grade`)")
    if path.is_dir():
        raise NotAGradesFile(f"{path} is a folder, not a grades CSV (e.g. grades.csv)")
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            if header != CSV_COLUMNS:
                raise NotAGradesFile(f"{path} is not a grades file: its first line should be "
                                     f"{','.join(CSV_COLUMNS)} (it is written by `rnn-course grade`)")
            rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as e:
        raise NotAGradesFile(f"{path} is not a grades file ({type(e).__name__}); "
                             "it is written by `rnn-course grade`") from None
    if not rows:
        raise NotAGradesFile(f"{path} has no grades (only its header line)")
    for i, row in enumerate(rows, start=2):
        try:
            float(row["max_score"])
            if row["score"]:
                float(row["score"])
        except (TypeError, ValueError):
            raise NotAGradesFile(f"{path} line {i}: score {row['score']!r} / max_score "
                                 f"{row['max_score']!r} is not a number") from None
    return rows


def feedback_html(result: dict) -> str:
    """A self-contained HTML page: per task the points, the test's message and a hint."""
    stem = result["stem"]
    q = BY_STEM.get(stem)
    title = f"Q{q.number}. {html.escape(q.title)} {chip_html(q.level)}" if q else html.escape(stem)
    got, most = auto_totals(result)
    mgot, mmost, pending = manual_totals(result)
    rows = []
    for t in result["tasks"]:
        if t["manual"] and t["score"] is not None:
            full = t["score"] >= t["max_score"]
            pts, colour = f"{_fmt(t['score'])} / {_fmt(t['max_score'])}", "#2e7d32" if full else "#c62828"
            why = "Graded by hand." + (f"<br><b>Comment:</b> {html.escape(t['comment'])}" if t.get("comment") else "")
        elif t["manual"]:
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
    manual_line = ""
    if mmost and pending == 0:
        manual_line = (f" &middot; graded by hand: <b>{_fmt(mgot)} / {_fmt(mmost)}</b> &middot; "
                       f"total: <b>{_fmt(got + mgot)} / {_fmt(most + mmost)}</b>")
    elif mmost:
        manual_line = f" &middot; graded by hand: <b>not yet</b> (out of {_fmt(mmost)})"
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Feedback: {html.escape(stem)}</title>
<style>body{{font-family:sans-serif;max-width:900px;margin:2em auto}}td,th{{padding:4px 10px;
border-bottom:1px solid #ddd;text-align:left;vertical-align:top}}</style></head><body>
<h2>{title}</h2>
<p>Learner: <b>{html.escape(result.get('learner', ''))}</b> &middot; status: <b>{status}</b>
&middot; auto-graded score: <b>{_fmt(got)} / {_fmt(most)}</b>{manual_line}</p>
{f'<p>{msg}</p>' if msg and result['status'] != 'ok' else ''}
<table><tr><th>task</th><th>points</th><th>feedback</th></tr>{''.join(rows)}</table>
{f'<h3>Grading notes</h3><ul>{notes}</ul>' if notes else ''}
<p><small>Hidden tests are not shown. Scores come from nbgrader run on a copy of your notebook
with the course's test cells restored.</small></p>
</body></html>
"""


def write_feedback(result: dict, path: Path) -> Path:
    atomic_write(path, feedback_html(result))
    return path
