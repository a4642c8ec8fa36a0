"""The question card shown in the first cell of every notebook."""
from __future__ import annotations

import html

from .questions import LEVEL_COLOURS, TAG_COLOURS, question


def chip_html(level: str) -> str:
    """A rounded difficulty chip: Easy green, Medium amber, Hard red."""
    colour = LEVEL_COLOURS[level]
    return (f'<span class="rnn-chip rnn-chip-{level.lower()}" style="background:{colour};color:white;'
            f'border-radius:10px;padding:1px 9px;font-size:0.8em;font-weight:bold">{level}</span>')


def tag_html(tag: str) -> str:
    colour = TAG_COLOURS.get(tag, "#455a64")
    return (f'<span class="rnn-tag" style="border:1px solid {colour};color:{colour};border-radius:4px;'
            f'padding:0 6px;margin-right:4px;font-size:0.8em">{html.escape(tag)}</span>')


class Card:
    """HTML card: number, title, chip, tags, coloured left border, the interview answer collapsed.

    The release stores this HTML as the output of the card cell, so the card shows when the
    notebook opens; only tags and inline styles that JupyterLab's sanitizer keeps are used
    (``<details>``/``<summary>``, ``class``, ``style``).
    """

    def __init__(self, key):
        self.q = question(key)

    def _repr_html_(self) -> str:
        q = self.q
        tags = "".join(tag_html(t) for t in q.tags)
        return (
            f'<div class="rnn-card" data-level="{q.level}" style="border-left:6px solid {q.colour};'
            f'padding:8px 14px;margin:6px 0;background:rgba(127,127,127,0.07)">'
            f'<div style="font-size:1.25em;font-weight:bold">Q{q.number}. {html.escape(q.title)} '
            f'{chip_html(q.level)}</div>'
            f'<div style="margin:4px 0">{tags}</div>'
            f'<details class="rnn-card-answer"><summary>show the interview answer '
            f'(try it yourself first)</summary>'
            f'<div style="margin-top:4px"><b>Answer.</b> {html.escape(q.answer)}</div></details></div>'
        )

    def __repr__(self) -> str:
        q = self.q
        return f"Q{q.number}. {q.title} [{q.level}] ({', '.join(q.tags)})"


def show_card(key) -> Card:
    """Return the card of question `key` (number or file stem); Jupyter renders it as HTML."""
    return Card(key)
