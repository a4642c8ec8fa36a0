"""Arrange an LMS export into SUBMISSIONS/<learner>/<NN_name>.ipynb.

Accepted: a zip file or a folder, flat or with one folder per learner. A file is mapped when
its name holds a course notebook's name (any case) and a learner, as LMSs name them:

| pattern | example | learner |
|---------|---------|---------|
| Canvas | `doe_jane_12345_67890_01_recurrence.ipynb`, `doejane_LATE_12345_67890_01_recurrence-1.ipynb` | `doe_jane` |
| Moodle | `Jane Doe_12345_assignsubmission_file_01_recurrence.ipynb`, or that name as a folder | `jane_doe` |
| generic | `jane-01_recurrence.ipynb`, `jane_01_recurrence.ipynb`, `01_recurrence_jane.ipynb` | `jane` |
| folders | `jane/01_recurrence.ipynb`, `export/jane/01_recurrence (1).ipynb` | `jane` |
| nbgrader | `submitted/jane/01_recurrence/01_recurrence.ipynb` (`nbgrader collect`), `inbound/jane+01_recurrence+<timestamp>/01_recurrence.ipynb` (the exchange) | `jane` |

Suffixes that LMSs, browsers and Jupyter add to a name (`-1`, ` (1)`, `_2`, `-Copy1`) are
version numbers: when two files give the same learner and notebook, the highest number (then
the newest file) is kept and the others are reported. An existing OUT/<learner>/<NN_name>.ipynb
is never replaced unless --force. Archive members with absolute paths or `..`, links, members
larger than the size limit and archives whose total would exceed it are refused.
"""
from __future__ import annotations

import os
import re
import stat
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .paths import solution_stems

SUFFIX = re.compile(r"(?:\s*\((\d+)\)|-copy(\d+)|[-_](\d{1,2}))$", re.I)
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_[a-z]+_?$", re.I)
CANVAS = re.compile(r"^(?P<name>.+?)_(?:late_)?(?P<uid>\d+)_(?P<aid>\d+)$", re.I)
INBOUND = re.compile(r"^(?P<name>[^+]+)\+(?P<assignment>[^+]+)\+(?P<ts>[^+]+)$")    # nbgrader's exchange
SKIP_DIRS = {"__macosx", ".ipynb_checkpoints"}


class CollectError(ValueError):
    """An export that cannot be collected (nothing is written)."""


@dataclass
class Member:
    name: str                    # path inside the export (posix)
    size: int
    mtime: float
    read: object                 # () -> bytes


@dataclass
class Report:
    written: list = field(default_factory=list)       # (member, target)
    unmapped: list = field(default_factory=list)      # (member, why)
    duplicates: list = field(default_factory=list)    # (kept member, dropped member, target)
    existing: list = field(default_factory=list)      # (member, target, same content?)
    refused: list = field(default_factory=list)       # (member, why)

    def lines(self) -> list[str]:
        out = [f"collected {len(self.written)} notebooks"]
        out += [f"  {m} -> {t}" for m, t in self.written]
        for kept, dropped, target in self.duplicates:
            out.append(f"duplicate: {dropped} and {kept} are both {target}; kept {kept} (higher version or newer)")
        for m, t, same in self.existing:
            out.append(f"kept existing {t} ({'same content as' if same else 'differs from'} {m}; "
                       "--force replaces it)" if not same else f"already there: {t} (same content as {m})")
        for m, why in self.unmapped:
            out.append(f"not mapped: {m}: {why}")
        for m, why in self.refused:
            out.append(f"refused: {m}: {why}")
        return out


def slug(name: str) -> str:
    """A learner name as a folder name: lower case, words joined by '_', nothing but word chars, '-', '.'."""
    s = re.sub(r"[^\w.-]+", "_", name.strip(), flags=re.UNICODE).strip("._-").lower()
    return re.sub(r"_+", "_", s)


def learner_of(part: str) -> str:
    """The learner in a name part, with Canvas/Moodle decorations removed."""
    part = part.strip(" _-.")
    for pat in (INBOUND, MOODLE, CANVAS):
        m = pat.match(part)
        if m:
            return slug(m.group("name"))
    return slug(part)


def parse(member: str, stems: list[str]) -> tuple[str, str, int] | str:
    """(learner, stem, version) for an export member's path, or the reason it cannot be mapped."""
    p = PurePosixPath(member)
    base, version = p.name[: -len(".ipynb")], 0
    while True:
        m = SUFFIX.search(base)
        if not m:
            break
        rest = base[: m.start()]
        if not any(rest.lower().endswith(s) for s in stems) and not any(
                re.match(rf"{re.escape(s)}\b", base.lower()) for s in stems):
            break                         # the digits belong to the name (e.g. a learner id)
        version = max(version, int(next(g for g in m.groups() if g)))
        base = rest
    low = base.lower()
    for stem in sorted(stems, key=len, reverse=True):
        if low.endswith(stem):
            learner = learner_of(base[: -len(stem)])
            break
        if low.startswith(stem) and (len(low) == len(stem) or low[len(stem)] in "_- ."):
            learner = learner_of(base[len(stem):])
            break
    else:
        nums = re.findall(r"(?<!\d)(\d{2})_", base)
        hint = next((f"; did the learner rename {s}.ipynb?" for s in stems if s[:2] in nums), "")
        return f"no course notebook name in it{hint}"
    if not learner:
        parents = [d for d in p.parent.parts if d not in ("", ".")]
        while parents and parents[-1].lower() == stem:    # nbgrader's <student>/<assignment>/ folders
            parents.pop()
        learner = learner_of(parents[-1]) if parents else ""
    if not learner or learner in (".", ".."):
        return "no learner name in the file name or its folder"
    return learner, stem, version


def _zip_members(path: Path, max_file: int, max_total: int, report: Report) -> list[Member]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise CollectError(f"{path} is not a zip file ({e})") from None
    members, total = [], 0
    for info in zf.infolist():
        name = info.filename
        if info.is_dir():
            continue
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            report.refused.append((name, "an absolute path or '..' in the archive (not extracted)"))
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            report.refused.append((name, "a symbolic link (not extracted)"))
            continue
        if not name.lower().endswith(".ipynb") or any(d.lower() in SKIP_DIRS or d.startswith(".") for d in parts):
            if not any(d.lower() in SKIP_DIRS or d.startswith(".") for d in parts):
                report.unmapped.append((name, "not a notebook (.ipynb)"))
            continue
        if info.file_size > max_file:
            report.refused.append((name, f"{info.file_size / 2**20:.0f} MiB is over the {max_file / 2**20:.0f} MiB limit"))
            continue
        total += info.file_size
        if total > max_total:
            raise CollectError(f"{path} would unpack to more than {max_total / 2**20:.0f} MiB "
                               "(--max-total-mb); nothing was written")

        def read(info=info):
            with zf.open(info) as fh:         # never trust the declared size: read at most the limit
                data = fh.read(max_file + 1)
            if len(data) > max_file:
                raise CollectError(f"{info.filename} unpacks to more than {max_file / 2**20:.0f} MiB")
            return data
        members.append(Member("/".join(parts), info.file_size, time.mktime(info.date_time + (0, 0, -1)), read))
    return members


def _dir_members(path: Path, max_file: int, report: Report) -> list[Member]:
    members = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d.lower() not in SKIP_DIRS and not d.startswith("."))
        for f in sorted(files):
            full = Path(root) / f
            rel = full.relative_to(path).as_posix()
            if f.startswith("."):
                continue
            if full.is_symlink():
                report.refused.append((rel, "a symbolic link (not followed)"))
                continue
            if not f.lower().endswith(".ipynb"):
                report.unmapped.append((rel, "not a notebook (.ipynb)"))
                continue
            st = full.stat()
            if st.st_size > max_file:
                report.refused.append((rel, f"{st.st_size / 2**20:.0f} MiB is over the {max_file / 2**20:.0f} MiB limit"))
                continue
            members.append(Member(rel, st.st_size, st.st_mtime, full.read_bytes))
    return members


def collect(export: Path, out: Path, force: bool = False, max_file_mb: float = 50,
            max_total_mb: float = 2048) -> Report:
    export, out = Path(export), Path(out)
    if not export.exists():
        raise FileNotFoundError(f"{export} does not exist (pass an LMS export: a .zip or a folder)")
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} is a file; OUT must be a folder (it is created if missing)")
    if export.is_dir() and out.resolve() == export.resolve():
        raise CollectError("EXPORT and OUT are the same folder; collect into a new folder")
    max_file, max_total = int(max_file_mb * 2**20), int(max_total_mb * 2**20)
    report = Report()
    if export.is_dir():
        members = _dir_members(export, max_file, report)
    else:
        members = _zip_members(export, max_file, max_total, report)
    stems = solution_stems()
    chosen = {}
    for m in members:
        got = parse(m.name, stems)
        if isinstance(got, str):
            report.unmapped.append((m.name, got))
            continue
        learner, stem, version = got
        key = (learner, stem)
        if key in chosen:
            old, oldv = chosen[key]
            keep, drop = ((m, version), (old, oldv)) if (version, m.mtime) > (oldv, old.mtime) else ((old, oldv), (m, version))
            chosen[key] = keep
            report.duplicates.append((keep[0].name, drop[0].name, f"{learner}/{stem}.ipynb"))
        else:
            chosen[key] = (m, version)
    if not members and not report.refused:
        raise CollectError(f"{export} holds no notebooks (.ipynb)")
    for (learner, stem), (m, _v) in sorted(chosen.items()):
        target = out / learner / f"{stem}.ipynb"
        if target.parent.exists() and not target.parent.is_dir():
            report.refused.append((m.name, f"{target.parent} is a file, not a learner folder"))
            continue
        data = m.read()
        if target.exists() and not force:
            report.existing.append((m.name, str(target), target.read_bytes() == data))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        os.utime(target, (m.mtime, m.mtime))
        report.written.append((m.name, str(target)))
    if not chosen:
        first = (report.unmapped + report.refused)[0]
        raise CollectError(f"no notebook in {export} could be mapped to a learner and a course notebook "
                           f"({len(report.unmapped)} not mapped, {len(report.refused)} refused; e.g. "
                           f"{first[0]}: {first[1]})")
    return report

