"""`make lab` (rnn-course lab) and what `check` says about the saved file."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

from test_workspace import fresh_clone

from rnn_course.saved import notes


def test_lab_prints_a_working_url_with_token_and_real_port(tmp_path):
    clone = fresh_clone(tmp_path / "clone")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    taken = busy.getsockname()[1]                      # the port asked for is in use
    env = dict(os.environ, RNN_COURSE_ROOT=str(clone))
    proc = subprocess.Popen([sys.executable, "-m", "rnn_course.cli", "lab", "--port", str(taken)],
                            cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines = []
    try:
        url = None
        deadline = time.time() + 240
        while time.time() < deadline and url is None:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"open: (http://127\.0\.0\.1:(\d+)/lab/tree/00_index\.ipynb\?token=(\w+))", line)
            if m:
                url, port, token = m.group(1), int(m.group(2)), m.group(3)
        assert url, "".join(lines)
        assert port != taken
        for _ in range(240):
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        assert status.status == 200
        contents = json.loads(urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=10).read())
        names = {c["name"] for c in contents["content"]}
        assert "01_recurrence.ipynb" in names and "00_index.ipynb" in names   # the workspace is the root
        assert (clone / "workspace" / "01_recurrence.ipynb").exists()
        time.sleep(3)                                      # extensions have loaded and logged
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
        busy.close()
    log = "".join(lines) + (out or "")
    assert not re.search(r"^\[E ", log, re.M), log
    assert "Loading the formgrader" not in log             # the instructor's server extension is off


class _Sessions(BaseHTTPRequestHandler):
    payload = b"[]"

    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, *a):
        pass


def test_check_warns_when_the_kernel_ran_after_the_last_save(tmp_path):
    nb = tmp_path / "06_lstm_gates.ipynb"
    nb.write_text("{}")
    saved = time.time() - 600
    os.utime(nb, (saved, saved))
    later = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() - 60))
    _Sessions.payload = json.dumps([{"path": "06_lstm_gates.ipynb", "kernel": {"last_activity": later}}]).encode()
    server = HTTPServer(("127.0.0.1", 0), _Sessions)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    info = {"url": f"http://127.0.0.1:{server.server_port}/", "token": "t", "root_dir": str(tmp_path)}
    try:
        out = notes(nb, servers=[info])
        assert "grading the saved file" in out[0] and "10 min ago" in out[0]
        assert len(out) == 2 and "after the file was last saved" in out[1]
        _Sessions.payload = json.dumps([{"path": "06_lstm_gates.ipynb", "kernel": {
            "last_activity": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(saved - 60))}}]).encode()
        assert len(notes(nb, servers=[info])) == 1               # kernel idle since the save
        assert len(notes(nb, servers=[])) == 1                   # no server: the plain note only
    finally:
        server.shutdown()
