"""`rnn-course solution NN`: the reference code and the interview rubric, once you have tried.

"Attempted" means the workspace notebook has a solution cell that differs from the released
stub, or a check/self-grade result exists. The reference notebook is also copied to
workspace/solutions/NN_name.ipynb so that it opens in JupyterLab next to your own.
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import nbformat

from . import paths
from .manifest import nbg

STUBS = ("# YOUR CODE HERE\nraise NotImplementedError()", "YOUR ANSWER HERE")


def attempted(stem: str, ws: Path) -> bool:
    path = ws / f"{stem}.ipynb"
    if (ws / ".progress" / "selfgrade" / f"{stem}.json").exists():
        return True
    try:
        nb = nbformat.read(path, as_version=4)
        rel = {nbg(c).get("grade_id"): c.source for c in
               nbformat.read(paths.COURSE / f"{stem}.ipynb", as_version=4).cells if nbg(c).get("solution")}
    except Exception:  # noqa: BLE001 - unreadable: not an attempt we can see
        return False
    return any(nbg(c).get("solution") and c.source.strip() != rel.get(nbg(c).get("grade_id"), "").strip()
               for c in nb.cells)


def reference(stem: str) -> str:
    """The solution cells (code between the markers) and the model answer with its rubric."""
    nb = nbformat.read(paths.SOLUTIONS / f"{stem}.ipynb", as_version=4)
    parts = []
    for c in nb.cells:
        m = nbg(c)
        if not m.get("solution"):
            continue
        body = re.sub(r"^\s*### (BEGIN|END) SOLUTION\s*\n?", "", c.source, flags=re.M).rstrip()
        title = "interview answer (model answer and rubric)" if c.cell_type == "markdown" else m["grade_id"]
        parts.append(f"--- {title} ---\n{body}")
    return "\n\n".join(parts)


def show(key: str, force: bool = False) -> int:
    from .workspace import folder
    try:
        stem = paths.resolve_stem(key)
    except KeyError as e:
        print(f"rnn-course solution: {e.args[0]}", file=sys.stderr)
        return 2
    ws, note = folder()
    src = paths.SOLUTIONS / f"{stem}.ipynb"
    if not force and not attempted(stem, ws):
        print(f"You have not attempted {stem} yet (no solution cell of {ws / (stem + '.ipynb')} differs from "
              "the release). Try it first: the visible checks and the self-grade cell tell you what is wrong.\n"
              f"The reference is in {src} (`rnn-course solution {stem[:2]} --force` prints it now).")
        return 0
    print(reference(stem))
    if ws == paths.WORKSPACE:
        dest = ws / "solutions" / f"{stem}.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dest)
        print(f"\nreference notebook: {src}\nin JupyterLab: solutions/{stem}.ipynb (a copy in {dest.parent})")
    else:
        print(f"\nreference notebook: {src}")
    return 0
