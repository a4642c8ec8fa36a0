"""Every release of every notebook, remembered: test-cell checksums and cell ids per release.

``autograder/released_versions.json`` (committed, updated by ``rnn-course release``) holds, per
notebook and per release id, the course version (the solution digest), the source checksum
of every released cell by cell id, and per graded cell its nbgrader metadata and checksum.

It serves two things:

- grading (``normalise``, called first by ``prepare.repair``): a notebook from an earlier
  release is not tampering. A locked cell whose source is byte for byte what some release had
  is put back to the current release's cell; a graded cell that an earlier release had and the
  current one dropped is no longer graded; a cell the current release added and the notebook's
  release did not have is added. What no release ever had stays for ``repair`` to report.
- ``rnn-course update``: which cells of a workspace notebook are the learner's own (ids that no
  release of that notebook had), and which released cells the learner edited.
"""
from __future__ import annotations

import copy
import hashlib
import json
import subprocess
from pathlib import Path

import nbformat

from .manifest import nbg
from .paths import RELEASED_VERSIONS, ROOT

KEYS = ("grade", "solution", "locked", "grade_id", "points", "task")
ROLE_SELFGRADE = "selfgrade"          # cells added by the release (self-grade); never graded


def sha(text: str) -> str:
    return hashlib.sha256(str(text).encode("utf-8")).hexdigest()


def key_meta(m: dict) -> dict:
    return {k: (float(m[k]) if k == "points" else m[k]) for k in KEYS if m.get(k) not in (None, False)}


def release_id(nb) -> str:
    """A fingerprint of a released notebook's cells (id, type, source, grading metadata)."""
    cells = [(c.get("id"), c.cell_type, c.source, key_meta(nbg(c))) for c in nb.cells]
    return sha(json.dumps(cells, sort_keys=True))[:12]


def entry(nb) -> dict:
    graded = {}
    for c in nb.cells:
        m = nbg(c)
        if m.get("grade_id"):
            graded[m["grade_id"]] = {"meta": key_meta(m), "sha": sha(c.source), "type": c.cell_type}
    return {"version": nb.metadata.get("rnn_course", {}).get("version"),
            "cells": {c.get("id"): sha(c.source) for c in nb.cells if c.get("id")},
            "graded": graded}


def load(path: Path = RELEASED_VERSIONS) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def save(data: dict, path: Path = RELEASED_VERSIONS) -> None:
    Path(path).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def record(stem: str, nb, path: Path = RELEASED_VERSIONS) -> str:
    """Add the released notebook ``nb`` to the history (kept across releases); its release id."""
    data = load(path)
    rid = release_id(nb)
    data.setdefault(stem, {})[rid] = entry(nb)
    save(data, path)
    return rid


def record_git_history(root: Path = ROOT, path: Path = RELEASED_VERSIONS) -> int:
    """Add every course/NN_name.ipynb ever committed to the history; how many releases were new."""
    data, new = load(path), 0
    log = subprocess.run(["git", "-C", str(root), "log", "--format=%H", "--", "course"],
                         capture_output=True, text=True, check=True).stdout.split()
    for commit in log:
        names = subprocess.run(["git", "-C", str(root), "ls-tree", "--name-only", commit, "course/"],
                               capture_output=True, text=True, check=True).stdout.split()
        for name in names:
            stem = Path(name).stem
            if not (name.endswith(".ipynb") and stem[:2].isdigit() and stem[:2] != "00"):
                continue
            text = subprocess.run(["git", "-C", str(root), "show", f"{commit}:{name}"],
                                  capture_output=True, text=True).stdout
            try:
                nb = nbformat.reads(text, as_version=4)
            except Exception:  # noqa: BLE001 - a broken historical file is skipped
                continue
            rid = release_id(nb)
            if rid not in data.get(stem, {}):
                data.setdefault(stem, {})[rid] = entry(nb)
                new += 1
    save(data, path)
    return new


def history(stem: str) -> dict:
    return load().get(stem, {})


def known_version(stem: str, version: str | None) -> bool:
    return bool(version) and any(e.get("version") == version for e in history(stem).values())


def is_course_cell(cell) -> bool:
    return cell.get("metadata", {}).get("rnn_course", {}).get("role") == ROLE_SELFGRADE


def normalise(sub, released):
    """A copy of ``sub`` in which what an earlier release had matches the current release.

    Called first by ``prepare.repair``; cells no release ever had are left as they are, so
    repair still reports them as tampering.
    """
    stem = released.metadata.get("rnn_course", {}).get("notebook")
    out = copy.deepcopy(sub)
    out.cells = [c for c in out.cells if not is_course_cell(c)]
    hist = history(stem) if stem else {}
    if not hist:
        return out
    current = {nbg(c)["grade_id"]: c for c in released.cells if nbg(c).get("grade_id")}
    order = [nbg(c)["grade_id"] for c in released.cells if nbg(c).get("grade_id")]
    ever = {}                                           # grade_id -> [entries of releases having it]
    for e in hist.values():
        for gid, g in e["graded"].items():
            ever.setdefault(gid, []).append(g)
    by_id = {c.get("id"): c for c in released.cells if c.get("id") and not nbg(c).get("grade_id")}
    released_shas = {}                                  # cell id -> its sources in any release
    for e in hist.values():
        for cid, s in e["cells"].items():
            released_shas.setdefault(cid, set()).add(s)
    kept, seen = [], set()
    for cell in out.cells:
        m = nbg(cell)
        gid = m.get("grade_id")
        cid = cell.get("id")
        if gid is None and cid in released_shas and sha(cell.source) in released_shas[cid]:
            # an ungraded cell as some release had it (setup, text, experiment): the current one
            if cid in by_id:
                kept.append(copy.deepcopy(by_id[cid]))
            continue
        if gid is None or gid in seen:
            kept.append(cell)
            continue
        seen.add(gid)
        olds = ever.get(gid, [])
        genuine_meta = any(g["meta"] == key_meta(m) and g["type"] == cell.cell_type for g in olds)
        genuine_src = any(g["sha"] == sha(cell.source) for g in olds)
        if gid not in current:
            if genuine_meta and m.get("locked") and genuine_src:
                continue                                # an earlier release's test, dropped since
            if genuine_meta:
                cell.metadata.pop("nbgrader", None)     # an earlier release's solution: plain code
            kept.append(cell)
            continue
        ref = current[gid]
        if genuine_meta and key_meta(m) != key_meta(nbg(ref)) and cell.cell_type == ref.cell_type:
            cell.metadata["nbgrader"] = copy.deepcopy(nbg(ref))
            m = nbg(cell)
        if m.get("locked") and genuine_src and genuine_meta and cell.source != ref.source:
            cell = copy.deepcopy(ref)                   # an earlier release's locked cell
        kept.append(cell)
    claimed = sub.metadata.get("rnn_course", {}).get("version")
    own = [e for e in hist.values() if e.get("version") == claimed and claimed]
    if own:                                             # cells added by a later release: insert them
        def key(c):
            return ("gid", nbg(c)["grade_id"]) if nbg(c).get("grade_id") else ("id", c.get("id"))
        had = {("gid", g) for e in own for g in e["graded"]} | {("id", i) for e in own for i in e["cells"]}
        present = {key(c) for c in kept}
        rel_keys = [key(c) for c in released.cells]
        for i, c in enumerate(released.cells):
            k = rel_keys[i]
            if k in present or k in had or is_course_cell(c):
                continue                                # present, or deleted by the learner
            pos = 0
            for prev in reversed(rel_keys[:i]):
                idx = next((j for j, kc in enumerate(kept) if key(kc) == prev), None)
                if idx is not None:
                    pos = idx + 1
                    break
            kept.insert(pos, copy.deepcopy(c))
            present.add(k)
    out.cells = kept
    return out
