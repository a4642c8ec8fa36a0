"""Is the file on disk what the learner sees? `check` grades the saved file; it says when that
file was saved and, when a running Jupyter server has a kernel for the notebook that was busy
after that time, warns that the kernel holds newer code than the file."""
from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request
from pathlib import Path


def _servers():
    try:
        from jupyter_server.serverapp import list_running_servers
        return list(list_running_servers())
    except Exception:  # noqa: BLE001 - no server, no information
        return []


def kernel_activity(path: Path, servers=None, timeout: float = 1.0) -> float | None:
    """The last activity (epoch seconds) of a running kernel attached to ``path``, if any."""
    path = Path(path).resolve()
    latest = None
    for info in servers if servers is not None else _servers():
        root = Path(info.get("root_dir") or info.get("notebook_dir") or "/").resolve()
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            continue
        url = info.get("url", "").rstrip("/") + "/api/sessions"
        req = urllib.request.Request(url, headers={"Authorization": f"token {info.get('token', '')}"})
        try:
            sessions = json.loads(urllib.request.urlopen(req, timeout=timeout).read())
        except (OSError, ValueError):
            continue
        for s in sessions:
            if s.get("path") != rel or not s.get("kernel"):
                continue
            stamp = s["kernel"].get("last_activity")
            try:
                t = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
            except (AttributeError, ValueError):
                continue
            latest = t if latest is None else max(latest, t)
    return latest


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 5400:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def notes(path: Path, servers=None, now: float | None = None) -> list[str]:
    """What `check` prints before grading: when the file was saved, and a warning if a kernel
    for it ran code after that."""
    now = time.time() if now is None else now
    mtime = Path(path).stat().st_mtime
    when = time.strftime("%H:%M:%S", time.localtime(mtime))
    out = [f"grading the saved file {path} (last saved {when}, {_ago(now - mtime)}); "
           "unsaved changes in JupyterLab are not graded"]
    busy = kernel_activity(path, servers)
    if busy is not None and busy > mtime + 2:
        out.append("WARNING: the notebook's kernel ran code at "
                   f"{time.strftime('%H:%M:%S', time.localtime(busy))}, after the file was last saved: "
                   "save it in JupyterLab (Ctrl-S) and run check again, or run the self-grade cell at "
                   "the end of the notebook, which grades the kernel's code as it is now.")
    return out
