"""`rnn-course update`: bring a newer release of the course into the learner's workspace.

For each workspace notebook whose release changed, the new released notebook is the base and
the learner's work is carried into it:

- solution cells and free-text answers, by ``grade_id`` (code and interview answers);
- cells the learner added (ids that no release of the notebook had), in order, after the
  released cell they followed;
- edits to released cells that the new release did not change (an experiment the learner
  tweaked, say).

The old file is first copied to ``workspace/.backup/<timestamp>/``. What cannot be placed (a
solution cell whose task the new release dropped, a released cell both the learner and the
release changed, an edited test cell) stays in the backup and is named in the output. Only
``NN_name.ipynb`` files are written; nothing else in workspace/ is touched.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import paths, versions
from .manifest import nbg


@dataclass
class Merge:
    stem: str
    action: str = "unchanged"           # unchanged | new | replaced | updated
    carried: list = field(default_factory=list)      # grade_ids of learner cells carried
    kept_edits: list = field(default_factory=list)   # released cells the learner edited, kept
    scratch: int = 0                                  # learner-added cells kept
    lost: list = field(default_factory=list)          # what stays in the backup only
    backup: Path | None = None

    def lines(self) -> list[str]:
        if self.action == "unchanged":
            return []
        if self.action == "new":
            return [f"{self.stem}: new notebook, copied from the release"]
        out = [f"{self.stem}: updated to the new release"
               + (f" (old file saved as {self.backup})" if self.backup else "")]
        if self.carried:
            out.append("  carried your cells: " + ", ".join(self.carried))
        if self.scratch:
            out.append(f"  kept {self.scratch} cell(s) you added")
        for e in self.kept_edits:
            out.append(f"  kept your edit of {e}")
        for e in self.lost:
            out.append(f"  NOT carried (it stays in the backup): {e}")
        if self.action == "replaced":
            out.append("  you had not changed it: replaced by the new release")
        return out


def _first_line(cell) -> str:
    line = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")
    return repr(line[:50])


def _key(cell):
    gid = nbg(cell).get("grade_id")
    return ("gid", gid) if gid else ("id", cell.get("id"))


def _base(stem: str, ws_nb) -> tuple[dict, bool]:
    """The released cells the workspace notebook started from: ({id: sha}, exact)."""
    hist = versions.history(stem)
    meta = ws_nb.metadata.get("rnn_course", {})
    if meta.get("release") in hist:
        return hist[meta["release"]]["cells"], True
    same = [e for e in hist.values() if meta.get("version") and e.get("version") == meta.get("version")]
    cells: dict = {}
    for e in same or hist.values():
        for cid, s in e["cells"].items():
            cells.setdefault(cid, s)
    return cells, False


def changed(ws_nb, new_nb) -> bool:
    a, b = ws_nb.metadata.get("rnn_course", {}), new_nb.metadata.get("rnn_course", {})
    if a.get("release") and b.get("release"):
        return a["release"] != b["release"]
    if a.get("version") != b.get("version"):
        return True
    ws_cells = {c.get("id"): c.source for c in ws_nb.cells}
    return any(ws_cells.get(c.get("id")) != c.source for c in new_nb.cells if not nbg(c).get("solution"))


def merge(ws_nb, new_nb, stem: str) -> tuple[nbformat.NotebookNode, Merge]:
    """The new release with the learner's work from ``ws_nb`` carried in."""
    rep = Merge(stem)
    base, _ = _base(stem, ws_nb)
    merged = copy.deepcopy(new_nb)
    new_by_key = {_key(c): c for c in merged.cells}
    new_ids = {c.get("id") for c in merged.cells}
    released_ids = set(base) | new_ids
    after: dict = {}                     # anchor key -> learner cells to insert after it
    anchors: list = []
    edited = False
    for cell in ws_nb.cells:
        m = nbg(cell)
        gid = m.get("grade_id")
        if versions.is_course_cell(cell):
            anchors.append(_key(cell))
            continue
        if gid:
            anchors.append(("gid", gid))
            target = new_by_key.get(("gid", gid))
            if m.get("solution"):
                if target is None:
                    rep.lost.append(f"your cell '{gid}' (the new release has no such task)")
                    edited = True
                elif cell.source != target.source:
                    if cell.cell_type != target.cell_type:
                        rep.lost.append(f"your cell '{gid}' (it changed type)")
                    else:
                        target.source = cell.source
                        rep.carried.append(gid)
                    edited = True
            elif cell.get("id") in base and versions.sha(cell.source) != base[cell.get("id")]:
                rep.lost.append(f"your edit of the test cell '{gid}' (test cells come from the release)")
                edited = True
            continue
        cid = cell.get("id")
        if cid in released_ids:
            anchors.append(("id", cid))
            mine = cid in base and versions.sha(cell.source) != base[cid]
            if not mine:
                continue
            edited = True
            target = new_by_key.get(("id", cid))
            if target is not None and versions.sha(target.source) == base[cid]:
                target.source = cell.source                # the release left it alone: keep yours
                if cell.cell_type == "code":
                    target.outputs, target.execution_count = cell.get("outputs", []), cell.get("execution_count")
                rep.kept_edits.append(f"cell {_first_line(cell)}")
            elif target is None:
                rep.lost.append(f"your edit of cell {_first_line(cell)} (the new release removed that cell)")
            else:
                rep.lost.append(f"your edit of cell {_first_line(cell)} (the new release changed it too)")
            continue
        # a cell the learner added: after the nearest earlier released cell the new release has
        edited = True
        rep.scratch += 1
        anchor = next((k for k in reversed(anchors) if k in new_by_key), None)
        after.setdefault(anchor, []).append(copy.deepcopy(cell))
    cells = list(after.get(None, []))
    for c in merged.cells:
        cells.append(c)
        cells.extend(after.get(_key(c), []))
    merged.cells = cells
    rep.action = "updated" if edited else "replaced"
    return merged, rep


def update(ws: Path | None = None, course: Path | None = None, stems: list[str] | None = None) -> list[Merge]:
    """Update every workspace notebook (or ``stems``) to the release in course/."""
    from .workspace import backup, backup_dir
    ws = Path(ws or paths.WORKSPACE)
    course = Path(course or paths.COURSE)
    if not ws.is_dir():
        raise FileNotFoundError(f"there is no workspace ({ws}); `make lab` or `rnn-course workspace` creates it")
    reports, bdir = [], None
    for src in sorted(course.glob("[0-9][0-9]_*.ipynb")):
        stem = src.stem
        if stems and stem not in stems:
            continue
        dest = ws / src.name
        new_nb = nbformat.read(src, as_version=4)
        if not dest.exists():
            nbformat.write(new_nb, dest)
            reports.append(Merge(stem, action="new"))
            continue
        try:
            ws_nb = nbformat.read(dest, as_version=4)
        except Exception as e:  # noqa: BLE001 - a broken file is never overwritten
            reports.append(Merge(stem, action="updated",
                                 lost=[f"the whole file: it is not a readable notebook ({type(e).__name__}); "
                                       "left as it is, fix or `rnn-course reset` it"]))
            continue
        if not changed(ws_nb, new_nb):
            reports.append(Merge(stem))
            continue
        merged, rep = merge(ws_nb, new_nb, stem)
        bdir = bdir or backup_dir(ws)
        rep.backup = backup(dest, bdir)
        nbformat.write(merged, dest)
        reports.append(rep)
    return reports
