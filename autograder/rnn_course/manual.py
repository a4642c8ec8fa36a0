"""Hand grading of the interview answers: answers pages, manual.csv, and folding it back in.

`rnn-course answers grades.csv` writes, per graded notebook, one HTML page with every learner's
answer (captured from the submission at grading time, in grades.json) beside the model answer and
rubric from solutions/, and a manual.csv to fill (learner, notebook, task, score, comment).
`rnn-course merge grades.csv manual.csv` (or `grade --manual manual.csv`) validates the filled
file completely before anything is written, then rewrites grades.csv, grades.json, the totals
and the feedback pages, each through a temporary file and a rename.
"""
from __future__ import annotations

import csv
import html
import io
import json
import math
import os
import re
from pathlib import Path

from . import manifest
from .paths import SOLUTIONS
from .report import _fmt, atomic_write, csv_text, feedback_html, one_line, write_csv

MANUAL_COLUMNS = ["learner", "notebook", "task", "score", "comment"]
SOLUTION = re.compile(r"### BEGIN SOLUTION\s*(.*?)\s*### END SOLUTION", re.S)


class ManualError(ValueError):
    """A manual.csv (or grades.json) that cannot be used; nothing has been written."""


def load_results(csv_path: Path) -> list[dict]:
    from .stats import sidecar
    side = sidecar(csv_path)
    if not side.exists():
        raise ManualError(f"{side} is missing: it is written by `rnn-course grade` next to {Path(csv_path).name}")
    try:
        results = json.loads(side.read_text(encoding="utf-8"))
        assert isinstance(results, list) and all("tasks" in r and "learner" in r and "stem" in r for r in results)
    except (ValueError, AssertionError, UnicodeDecodeError):
        raise ManualError(f"{side} is not the results file written by `rnn-course grade`") from None
    if not results:
        raise ManualError(f"{side} holds no results")
    return results


def model_answer(stem: str, cell_id: str) -> tuple[str, str]:
    """(the question: the markdown cell before the answer cell, the model answer and rubric)."""
    import nbformat
    nb = nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
    question = ""
    for cell in nb.cells:
        if manifest.nbg(cell).get("grade_id") == cell_id:
            m = SOLUTION.search(cell.source)
            return question, (m.group(1) if m else cell.source)
        if cell.cell_type == "markdown":
            question = cell.source
    return question, ""


def _md(text: str) -> str:
    """Markdown from solutions/ (trusted) to HTML; TeX is left as written."""
    import mistune
    return mistune.html(text)


def answers_html(stem: str, task: dict, rows: list[tuple[str, dict]]) -> str:
    """One page: the question, the model answer and rubric beside every learner's answer."""
    from helpers.questions import BY_STEM
    q = BY_STEM.get(stem)
    question, model = model_answer(stem, task["cell"])
    blocks = []
    for learner, t, status in rows:
        if status == "missing":
            body = '<p class="none">no submission of this notebook</p>'
        elif not t.get("answer"):
            body = '<p class="none">no answer (the cell is empty or still holds the released text)</p>'
        else:
            words = len(t["answer"].split())
            body = f'<div class="answer">{html.escape(t["answer"])}</div><p class="meta">{words} words</p>'
        given = "" if t["score"] is None else (f'<p class="given">given: <b>{_fmt(t["score"])} / {_fmt(t["max_score"])}</b>'
                                               + (f" &middot; {html.escape(t.get('comment') or '')}" if t.get("comment") else "") + "</p>")
        blocks.append(f'<section><h3>{html.escape(learner)}</h3>{body}{given}</section>')
    title = f"Q{q.number}. {q.title}" if q else stem
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Answers: {html.escape(stem)} {html.escape(task['task'])}</title>
<style>body{{font-family:sans-serif;margin:1.5em;display:grid;grid-template-columns:1fr 1fr;gap:2em}}
header{{grid-column:1/3}} aside{{position:sticky;top:1em;align-self:start;background:#f4f7fb;padding:1em;
border-left:4px solid #1565c0;max-height:92vh;overflow:auto}} section{{border-bottom:1px solid #ddd;padding-bottom:.5em}}
.answer{{white-space:pre-wrap;background:#fafafa;padding:.6em;border:1px solid #eee}}
.none{{color:#c62828}} .meta,.given{{color:#555;font-size:90%}}</style></head><body>
<header><h2>{html.escape(title)} &middot; <code>{html.escape(task['task'])}</code> ({_fmt(task['max_score'])} points)</h2>
<p>{len(rows)} learners. Fill the score and a comment for each in manual.csv, then run
<code>rnn-course merge grades.csv manual.csv</code>.</p></header>
<main>{''.join(blocks)}</main>
<aside><h3>Question</h3>{_md(question)}<h3>Model answer and rubric</h3>{_md(model)}</aside>
</body></html>
"""


def manual_tasks(results: list[dict]) -> dict:
    """{(learner, stem, task): (task dict, result)} for every hand-graded task."""
    out = {}
    for r in results:
        for t in r["tasks"]:
            if t["manual"]:
                out[(r["learner"], r["stem"], t["task"])] = (t, r)
    return out


def write_answers(results: list[dict], out_dir: Path, manual_csv: Path, force: bool = False) -> list[Path]:
    """The answers pages (one per notebook and hand-graded task) and manual.csv to fill."""
    if manual_csv.exists() and not force:
        raise ManualError(f"{manual_csv} already exists (it may hold your scores); pass --force to "
                          "rewrite it from grades.json, or --manual another.csv")
    if out_dir.exists() and not out_dir.is_dir():
        raise ManualError(f"{out_dir} is a file; the answers pages need a folder")
    tasks = manual_tasks(results)
    if not tasks:
        raise ManualError("the graded notebooks have no hand-graded task")
    pages, by_task = [], {}
    for (learner, stem, task), (t, r) in tasks.items():
        by_task.setdefault((stem, task), []).append((learner, t, r["status"]))
    rows = []
    for (stem, task), items in sorted(by_task.items()):
        items.sort(key=lambda x: x[0])
        path = out_dir / (f"{stem}.html" if sum(k[0] == stem for k in by_task) == 1 else f"{stem}_{task}.html")
        atomic_write(path, answers_html(stem, items[0][1], items))
        pages.append(path)
        for learner, t, status in items:
            if t["score"] is not None:
                score, comment = _fmt(t["score"]), t.get("comment") or ""
            elif status == "missing" or not t.get("answer"):
                score, comment = "0", "no answer"
            else:
                score, comment = "", ""
            rows.append([learner, stem, task, score, comment])
    rows.sort(key=lambda x: (x[1], x[2], x[0]))
    atomic_write(manual_csv, csv_text(MANUAL_COLUMNS, rows))
    return pages


def parse_manual(path: Path, known: dict) -> list[tuple]:
    """Read and validate a filled manual.csv against ``known`` = {(learner, stem, task): max_score}.

    Returns [(learner, stem, task, score or None, comment)]; raises ManualError naming the first
    problem (and how many there are) without touching any file.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist (make it with `rnn-course answers grades.csv`)")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; pass the filled manual.csv")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ManualError(f"{path} is not UTF-8 text; save it as CSV (UTF-8)") from None
    first = text.splitlines()[0] if text.strip() else ""
    delim = ";" if first.count(";") > first.count(",") else ","       # spreadsheets in some locales
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delim)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if header[:len(MANUAL_COLUMNS)] != MANUAL_COLUMNS:
        raise ManualError(f"{path} is not a manual grades file: its first line should be "
                          f"{','.join(MANUAL_COLUMNS)} (write one with `rnn-course answers`)")
    stems = sorted({k[1] for k in known})
    learners = {k[0] for k in known}
    problems, entries, seen = [], [], {}
    for line, raw in enumerate(reader, start=2):
        row = {h: (v or "").strip() for h, v in zip(header, [raw.get(f) for f in reader.fieldnames])}
        if not any(row.values()):
            continue
        learner, nb, task, score_s, comment = (row.get(c, "") for c in MANUAL_COLUMNS)
        stem = nb
        if nb.isdigit():
            stem = next((s for s in stems if int(s[:2]) == int(nb)), nb)
        where = f"{path.name} line {line}"
        if learner not in learners:
            problems.append(f"{where}: unknown learner '{learner}' (not in grades.json)")
            continue
        if stem not in stems:
            problems.append(f"{where}: notebook '{nb}' was not graded (graded: {', '.join(stems)})")
            continue
        key = (learner, stem, task)
        if key not in known:
            names = sorted({k[2] for k in known if k[1] == stem})
            problems.append(f"{where}: '{task}' is not a hand-graded task of {stem} (those are: {', '.join(names)})")
            continue
        if key in seen:
            problems.append(f"{where}: {learner} {stem} {task} is already on line {seen[key]}")
            continue
        seen[key] = line
        score = None
        if score_s:
            try:
                score = float(score_s)
                if not math.isfinite(score):
                    raise ValueError
            except ValueError:
                hint = " (use a dot for decimals)" if re.fullmatch(r"\d+,\d+", score_s) else ""
                problems.append(f"{where}: score '{score_s}' is not a number{hint}")
                continue
            if not 0 <= score <= known[key]:
                problems.append(f"{where}: score {score_s} for {learner} {stem} {task} is outside 0..{_fmt(known[key])}")
                continue
        elif comment:
            problems.append(f"{where}: a comment without a score for {learner} {stem} {task}")
            continue
        entries.append((learner, stem, task, score, one_line(comment)))
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ManualError(problems[0] + more + "; nothing was changed")
    return entries


def known_from_results(results: list[dict]) -> dict:
    return {k: t["max_score"] for k, (t, _r) in manual_tasks(results).items()}


def known_from_plan(learners: list[str], stems: list[str]) -> dict:
    """The hand-graded tasks a grading run over ``learners`` x ``stems`` will produce."""
    return {(learner, stem, t.task): t.points for learner in learners for stem in stems
            for t in manifest.tasks(stem) if t.manual}


def apply(results: list[dict], entries: list[tuple]) -> tuple[int, int]:
    """Fold scores and comments into ``results``; (graded now, still to grade)."""
    tasks = manual_tasks(results)
    done = 0
    for learner, stem, task, score, comment in entries:
        if score is None:
            continue
        t, _r = tasks[(learner, stem, task)]
        t.update(score=score, comment=comment, passed=score >= t["max_score"], reason=comment or None)
        done += 1
    pending = sum(t["score"] is None for t, _r in tasks.values())
    return done, pending


def carry_over(results: list[dict], csv_path: Path) -> tuple[int, int]:
    """Keep the hand-graded scores of a previous run at ``csv_path`` whose answer did not change.

    Returns (kept, dropped because the learner's answer changed since it was graded).
    """
    from .stats import sidecar
    try:
        old = manual_tasks(json.loads(sidecar(csv_path).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return 0, 0
    kept = dropped = 0
    for key, (t, _r) in manual_tasks(results).items():
        prev = old.get(key, (None, None))[0]
        if not isinstance(prev, dict) or prev.get("score") is None or t["score"] is not None:
            continue
        if prev.get("answer", "") == t.get("answer", ""):
            t.update(score=prev["score"], comment=prev.get("comment", ""), passed=prev.get("passed"),
                     reason=prev.get("reason"))
            kept += 1
        else:
            dropped += 1
    return kept, dropped


def feedback_dir(csv_path: Path, given: str | None = None) -> Path:
    return Path(given) if given else Path(csv_path).with_name(Path(csv_path).stem + "_feedback")


def write_all(results: list[dict], csv_path: Path, fb_dir: Path, totals_path: Path | None = None) -> Path:
    """grades.csv, grades.json, the totals and every feedback page; each file via temp + rename.

    Every file's new text is made first; only then are they written, so a bad result never
    leaves half the files updated.
    """
    from . import totals
    from .report import csv_rows
    from .stats import sidecar
    texts = {}
    for r in results:
        texts[fb_dir / r["learner"] / f"{r['stem']}.html"] = feedback_html(r)
    texts[sidecar(csv_path)] = json.dumps(results, indent=1)
    totals_path = totals_path or totals.default_path(csv_path)
    from .report import CSV_COLUMNS
    rows = [dict(zip(CSV_COLUMNS, row)) for row in csv_rows(results)]
    head, body = totals.table_rows(rows)
    texts[totals_path] = csv_text(head, body)
    tmp = []
    try:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            t = path.with_name(f".{path.name}.tmp")
            t.write_text(text, encoding="utf-8", newline="")
            tmp.append((t, path))
        for t, path in tmp:
            os.replace(t, path)
    finally:
        for t, _ in tmp:
            t.unlink(missing_ok=True)
    write_csv(results, csv_path)
    return totals_path
