"""A hard memory limit around a sandbox: a memory cgroup of its own, where one is writable.

The batch's memory watch (rnn_course.batch) polls the job's processes every 50 ms and sums what
they hold. What no process holds -- files in the sandbox's tmpfs ``/tmp`` or ``/dev/shm``, a
burst faster than one poll -- it cannot see. A cgroup can: the kernel charges every page of the
sandbox's processes to it (tmpfs pages included) and, at the limit, the OOM killer ends a process
inside it, never one of the grader. ``limit_hits()`` tells the grader that the limit was reached,
so the job gets the verdict ``memory``.

Both layouts work: cgroup v1 (``/sys/fs/cgroup/memory/<own group>``) and v2 (the unified
``/sys/fs/cgroup/<own group>``, where the group must delegate the memory controller). Where
neither is writable (not root, no delegation, not Linux), ``MemoryCage.create()`` returns None
and the poll is the only limit.
"""
from __future__ import annotations

import os
from pathlib import Path

_seq = 0


def _own_groups() -> list[tuple[str, Path]]:
    """(version, folder) of this process's memory cgroup, v1 first."""
    out = []
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            out.append(("v1", Path("/sys/fs/cgroup/memory") / path.lstrip("/")))
    for line in lines:
        if line.startswith("0::"):
            out.append(("v2", Path("/sys/fs/cgroup") / line[3:].lstrip("/")))
    return out


class MemoryCage:
    """One memory cgroup: ``add_tree(pid)``, ``set_limit(mib)``, ``limit_hits()``, ``close()``."""

    def __init__(self, version: str, path: Path):
        self.version, self.path = version, path

    @classmethod
    def create(cls) -> "MemoryCage | None":
        """A new child group of this process's own memory cgroup, or None where none can be made."""
        global _seq
        if os.environ.get("RNN_COURSE_CGROUP", "1") == "0":
            return None
        sweep()
        for version, parent in _own_groups():
            limit_file = "memory.limit_in_bytes" if version == "v1" else "memory.max"
            if not parent.is_dir():
                continue
            _seq += 1
            path = parent / f"rnn-course-{os.getpid()}-{_seq}"
            try:
                path.mkdir()
                if not (path / limit_file).exists():       # v2 without the memory controller
                    path.rmdir()
                    continue
                if version == "v1":
                    try:                                   # pages move with a process moved in
                        (path / "memory.move_charge_at_immigrate").write_text("3")
                    except OSError:
                        pass
                return cls(version, path)
            except OSError:
                try:
                    path.rmdir()
                except OSError:
                    pass
        return None

    def add(self, pid: int) -> bool:
        try:
            (self.path / "cgroup.procs").write_text(str(pid))
            return True
        except OSError:
            return False

    def add_tree(self, pid: int) -> bool:
        """Move ``pid`` and every descendant in; their later children are born inside."""
        import psutil
        ok = self.add(pid)
        try:
            for p in psutil.Process(pid).children(recursive=True):
                ok = self.add(p.pid) and ok
        except psutil.Error:
            pass
        return ok

    def usage_mib(self) -> float:
        name = "memory.usage_in_bytes" if self.version == "v1" else "memory.current"
        try:
            return int((self.path / name).read_text()) / 2**20
        except (OSError, ValueError):
            return 0.0

    def set_limit(self, mib: float) -> bool:
        value = str(int(mib * 2**20))
        try:
            if self.version == "v1":
                (self.path / "memory.limit_in_bytes").write_text(value)
                try:                                       # swap too, where there is swap accounting
                    (self.path / "memory.memsw.limit_in_bytes").write_text(value)
                except OSError:
                    pass
            else:
                (self.path / "memory.max").write_text(value)
                try:
                    (self.path / "memory.swap.max").write_text("0")
                except OSError:
                    pass
            return True
        except OSError:
            return False

    def oom_kills(self) -> int:
        """How many processes the OOM killer has ended in this group so far."""
        name = "memory.oom_control" if self.version == "v1" else "memory.events"
        try:
            for line in (self.path / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0                  # (kernels before 4.13 do not count: the verdict is then kernel_died)

    def limit_hits(self) -> int:
        """How often the group has reached its limit since ``reset_peak()``: OOM kills, plus one
        when usage reached the limit (v1: the peak ``memory.max_usage_in_bytes``; v2: the ``max``
        event count). A job that reached its limit gets the verdict ``memory`` even where the
        kernel, reclaiming page cache, has not killed anything yet when the job ends (a busy
        machine thrashes a while before it kills)."""
        hits = self.oom_kills()
        try:
            if self.version == "v1":
                peak = int((self.path / "memory.max_usage_in_bytes").read_text())
                limit = int((self.path / "memory.limit_in_bytes").read_text())
                hits += int(peak >= limit - 2**20)
            else:
                for line in (self.path / "memory.events").read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "max":
                        hits += int(value)
        except (OSError, ValueError):
            pass
        return hits

    def reset_peak(self) -> None:
        """Start a new peak (v1): the next ``limit_hits()`` counts only what happens from now."""
        if self.version == "v1":
            try:
                (self.path / "memory.max_usage_in_bytes").write_text("0")
            except OSError:
                pass

    def close(self) -> None:
        """Remove the group (once its processes are gone; a few tries while they exit)."""
        import time
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)


def sweep() -> int:
    """Remove the groups of grader processes that have gone (a server killed before its close()):
    a group holds no process once its sandbox has died, so rmdir succeeds. Returns how many."""
    removed = 0
    for _, parent in _own_groups():
        try:
            groups = list(parent.glob("rnn-course-*-*"))
        except OSError:
            continue
        for group in groups:
            try:
                owner = int(group.name.split("-")[2])
            except (IndexError, ValueError):
                continue
            if _alive(owner):              # its owner may still use it
                continue
            try:
                if not (group / "cgroup.procs").read_text().strip():
                    group.rmdir()
                    removed += 1
            except OSError:
                pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
