"""Totals for an LMS gradebook: one row per learner, per notebook and overall."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .report import _fmt, atomic_write, csv_text, read_csv


def compute(rows: list[dict]) -> tuple[list[str], dict]:
    """(notebooks in order, {learner: {notebook: {auto, auto_max, manual, manual_max, pending}}})."""
    notebooks = sorted({r["notebook"] for r in rows})
    per = defaultdict(lambda: defaultdict(lambda: dict(auto=0.0, auto_max=0.0, manual=0.0,
                                                       manual_max=0.0, pending=0)))
    for r in rows:
        cell = per[r["learner"]][r["notebook"]]
        kind = "manual" if r["status"] == "manual" else "auto"
        cell[kind + "_max"] += float(r["max_score"])
        if r["score"] == "":
            cell["pending"] += 1
        else:
            cell[kind] += float(r["score"])
    return notebooks, per


def header(notebooks: list[str]) -> list[str]:
    cols = ["learner"]
    for nb in notebooks:
        cols += [f"{nb} auto", f"{nb} manual", f"{nb} total", f"{nb} max"]
    return cols + ["auto", "auto max", "manual", "manual max", "total", "max", "manual to grade"]


def table_rows(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    notebooks, per = compute(rows)
    out = []
    for learner in sorted(per):
        row, tot = [learner], dict(auto=0.0, auto_max=0.0, manual=0.0, manual_max=0.0, pending=0)
        for nb in notebooks:
            c = per[learner].get(nb) or dict(auto=0.0, auto_max=0.0, manual=0.0, manual_max=0.0, pending=0)
            row += [_fmt(c["auto"]), _fmt(c["manual"]), _fmt(c["auto"] + c["manual"]),
                    _fmt(c["auto_max"] + c["manual_max"])]
            for k in tot:
                tot[k] += c[k]
        row += [_fmt(tot["auto"]), _fmt(tot["auto_max"]), _fmt(tot["manual"]), _fmt(tot["manual_max"]),
                _fmt(tot["auto"] + tot["manual"]), _fmt(tot["auto_max"] + tot["manual_max"]), str(tot["pending"])]
        out.append(row)
    return header(notebooks), out


def write(rows: list[dict], path: Path) -> Path:
    head, body = table_rows(rows)
    atomic_write(path, csv_text(head, body))
    return Path(path)


def default_path(csv_path: Path) -> Path:
    return Path(csv_path).with_name(Path(csv_path).stem + "_totals.csv")


def summary(rows: list[dict]) -> str:
    """One line per learner: auto, manual and total points."""
    head, body = table_rows(rows)
    ix = {c: i for i, c in enumerate(head)}
    width = max([len("learner")] + [len(b[0]) for b in body])
    lines = []
    for b in body:
        pending = int(b[ix["manual to grade"]])
        manual = (f"by hand {b[ix['manual']]} / {b[ix['manual max']]}" if not pending
                  else f"by hand: {pending} to grade (out of {b[ix['manual max']]})")
        lines.append(f"{b[0]:<{width}}  auto {b[ix['auto']]} / {b[ix['auto max']]}   {manual}   "
                     f"total {b[ix['total']]} / {b[ix['max']]}")
    return "\n".join(lines)


def from_csv(csv_path: Path, out: Path | None = None) -> Path:
    return write(read_csv(csv_path), out or default_path(csv_path))
