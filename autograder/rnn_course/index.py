"""The course index (course/00_index.ipynb), generated from helpers.questions by the release."""
from __future__ import annotations

import html
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.card import chip_html, tag_html
from helpers.questions import BY_NUMBER, QUESTIONS, REVIEW_CHECKLIST

INDEX_NAME = "00_index.ipynb"


def card_md(q) -> str:
    from .paths import SOLUTIONS
    tags = " ".join(tag_html(t) for t in q.tags)
    title = (f"[{html.escape(q.title)}]({q.notebook})" if (SOLUTIONS / q.notebook).exists()
             else f"{html.escape(q.title)} (notebook in preparation)")
    return (f'<div class="rnn-card" data-level="{q.level}" style="border-left: 6px solid {q.colour}; '
            f'padding: 4px 12px; margin: 4px 0;">\n\n'
            f'**Q{q.number}. {title}** {chip_html(q.level)} {tags}\n\n'
            f'{html.escape(q.one_line)}\n\n</div>')


def build() -> nbformat.NotebookNode:
    from .paths import SOLUTIONS
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    cells = [new_markdown_cell(
        "# Recurrent neural networks: 15 interview questions\n\n"
        "Hidden state over time, BPTT and its truncation, LSTM and GRU gates, seq2seq, packing, and "
        "where RNNs stand next to Transformers and convolutions. Each notebook below asks one question: "
        "you implement the idea, check it against PyTorch, run an experiment, and self-grade "
        "(the self-grade cell at the end of each notebook, `rnn-course check NN` in a terminal for the "
        "official re-run of the saved file, or the progress cell at the end of this page). These are your "
        "copies in `workspace/`; `rnn-course update` brings a new release in and keeps your work.\n\n"
        f"Difficulty: {chip_html('Easy')} {chip_html('Medium')} {chip_html('Hard')}")]
    cells.append(new_markdown_cell("## The fifteen questions\n\n" + "\n\n".join(card_md(q) for q in QUESTIONS)))
    items = []
    for text, numbers in REVIEW_CHECKLIST:
        links = ", ".join(f"[{n:02d}]({BY_NUMBER[n].notebook})" if (SOLUTIONS / BY_NUMBER[n].notebook).exists()
                          else f"{n:02d}" for n in numbers)
        items.append(f"- [ ] {text} — {links}")
    cells.append(new_markdown_cell("## Quick-review checklist\n\nBefore the interview, make sure you can:\n\n"
                                   + "\n".join(items)
                                   + "\n\nAnd on a whiteboard: draw the unrolled RNN for BPTT ([03](03_bptt.ipynb))."))
    if (SOLUTIONS / "16_mock_interview.ipynb").exists():
        cells.append(new_markdown_cell(
            "## Rehearse: the mock interview\n\n[16 · Mock interview](16_mock_interview.ipynb) draws a timed "
            "mix of the fifteen questions, their follow-ups, the quick checks and numeric prompts, scored "
            "against the rubrics, plus whiteboard drills; a spaced-review schedule in "
            "`workspace/.review/` brings back what you missed. The progress cell below shows its state."))
    cells.append(new_markdown_cell("## Your progress\n\nRun the cell below: it grades every notebook of your "
                                   "workspace changed since its last grading and shows points per question, "
                                   "your last self-grade, your self-assessed interview points and your review schedule."))
    cells.append(new_code_cell("from rnn_course.progress import show_progress\n\nrows = show_progress()"))
    for i, c in enumerate(cells):
        c["id"] = f"index-{i:02d}"
    nb.cells = cells
    return nb


def write(folder: Path) -> Path:
    path = Path(folder) / INDEX_NAME
    nbformat.write(build(), path)
    return path
