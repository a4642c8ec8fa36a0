"""`make lab` / `rnn-course lab`: create workspace/ on first use and start JupyterLab on it.

Prints the URL with its token and the port the server really listens on (the first free one
from --port), then runs JupyterLab in the foreground (Ctrl-C stops it).
"""
from __future__ import annotations

import os
import secrets
import socket
import sys
from pathlib import Path

from . import paths


def free_port(start: int, tries: int = 50) -> int:
    for port in range(start, start + tries):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port in {start}..{start + tries - 1}")


def command(port: int, token: str, root_dir: Path) -> list[str]:
    exe = str(Path(sys.executable).with_name("jupyter"))
    cmd = [exe, "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def main(port: int = 8888, open_path: str = "00_index.ipynb") -> int:
    from .doctor import setup_lab
    from .workspace import create, workspace_dir
    made = create()
    ws = workspace_dir()
    print(f"workspace: {ws} ({len(made)} notebook(s) copied from course/; your files are never overwritten)")
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        setup_lab()
    port = free_port(port)
    token = os.environ.get("RNN_COURSE_TOKEN") or secrets.token_hex(24)
    url = f"http://127.0.0.1:{port}/lab/tree/{open_path}?token={token}"
    print(f"JupyterLab on {ws}\n    open: {url}\n(Ctrl-C to stop)", flush=True)
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(paths.AUTOGRADER))
    os.chdir(paths.AUTOGRADER)
    cmd = command(port, token, ws)
    os.execve(cmd[0], cmd, env)
    return 0                                            # not reached
