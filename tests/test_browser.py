"""A real browser against a real JupyterLab: the learner's first minutes, end to end.

Starts JupyterLab on 127.0.0.1 with the project's configuration on a workspace made from
course/ (as `make lab` does), drives Debian's chromium with playwright: a notebook shows its card
on open, before any cell runs, with the interview answer collapsed; the card renders with the right
chip colour and tags, cells run, a wrong implementation shows the visible check's message, nbgrader's Validate button
answers, the course index opens. Screenshots go to tests/artifacts/ (git-ignored).
"""
from __future__ import annotations

import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ART = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and os.geteuid() != 0,
                                reason="chromium is not installed: sudo apt-get install chromium")

WRONG_SCAN = "def rnn_scan(step, h0, xs):\n    return [step(h0, x) for x in xs]\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from rnn_course.doctor import setup_lab
    setup_lab()
    from rnn_course.workspace import create
    course = tmp_path_factory.mktemp("workspace")          # a learner's workspace, made as `make lab` does
    create(ws=course)
    settings = tmp_path_factory.mktemp("labsettings")
    # render every cell (no windowing, so off-screen outputs exist) and no news pop-up
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        '{"windowingMode": "none"}')
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    port, token = _free_port(), secrets.token_hex(8)
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(ROOT / "autograder"), MPLBACKEND="module://matplotlib_inline.backend_inline")
    cmd = [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}",
           "--ServerApp.open_browser=False", f"--LabApp.user_settings_dir={settings}",
           "--LabApp.expose_app_in_browser=True",
           f"--LabApp.workspaces_dir={settings / 'workspaces'}"] + (["--allow-root"] if os.geteuid() == 0 else [])
    log = open(tmp_path_factory.mktemp("lablog") / "lab.log", "w")
    proc = subprocess.Popen(cmd, cwd=ROOT / "autograder", env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("JupyterLab exited; see " + log.name)
                time.sleep(0.5)
        else:
            raise RuntimeError("JupyterLab did not start in 60 s")
        yield base, token
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def page(lab):
    from playwright.sync_api import sync_playwright
    ART.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.set_default_timeout(60_000)
            yield pg, lab
        finally:
            browser.close()


_workspaces = itertools.count(1)


def _open(pg, lab, name):
    """Open one notebook in a workspace of its own (`?reset`): the Lab restores none of the
    notebooks an earlier test left open, nor a dialog of theirs."""
    base, token = lab
    pg.goto(f"{base}/lab/workspaces/t{next(_workspaces)}/tree/{name}?reset&token={token}")
    pg.wait_for_selector(".jp-NotebookPanel:visible .jp-Cell", state="visible")
    pg.wait_for_selector(".jp-Notebook-ExecutionIndicator, .jp-Toolbar", state="attached")
    time.sleep(1.5)                                       # the kernel settles


def _dismiss_dialogs(pg):
    """A dialog left open (the Lab's, not the notebook's) would swallow every click: record its
    text in tests/artifacts/dialogs.txt, print it, and answer it with its default button."""
    for _ in range(3):
        dialog = pg.locator(".jp-Dialog")
        if dialog.count() == 0 or not dialog.first.is_visible():
            return
        text = " ".join(dialog.first.inner_text().split())
        print(f"browser test: dismissing a dialog: {text!r}")
        with open(ART / "dialogs.txt", "a") as fh:
            fh.write(text + "\n")
        accept = dialog.first.locator("button.jp-mod-accept")
        if accept.count():
            accept.first.click()
        else:
            pg.keyboard.press("Escape")
        time.sleep(0.5)


def _run_all(pg):
    _dismiss_dialogs(pg)
    pg.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    pg.locator(".lm-Menu-itemLabel").filter(has_text=re.compile(r"^\s*Run All Cells\s*$")).first.click()


def _wait_idle(pg, timeout=240):
    """Until no cell is queued or running."""
    pg.wait_for_function("() => ![...document.querySelectorAll('.jp-InputPrompt')]"
                         ".some(e => e.innerText.includes('*'))", timeout=timeout * 1000)


def test_learner_first_minutes(page):
    """One notebook, as a learner meets it: the card on open (nothing run yet, the answer
    collapsed until asked for), then Run All, a wrong implementation and its visible check,
    then nbgrader's Validate button."""
    pg, lab = page
    _open(pg, lab, "01_recurrence.ipynb")
    panel = ".jp-NotebookPanel:visible"
    card = pg.locator(f"{panel} .jp-OutputArea .rnn-card").first      # stored by the release
    card.wait_for(state="visible", timeout=90_000)
    # nothing ran: no cell has an execution count
    prompts = pg.locator(f"{panel} .jp-InputPrompt").all_inner_texts()
    assert not any(re.search(r"\[\d+\]", p) for p in prompts), prompts
    card.scroll_into_view_if_needed()
    chip = card.locator(".rnn-chip").first
    chip.wait_for(state="visible")
    assert chip.inner_text().strip() == "Easy"
    assert chip.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(46, 125, 50)"
    assert card.evaluate("e => getComputedStyle(e).borderLeftStyle") == "solid"
    card.locator(".rnn-tag").nth(1).wait_for(state="attached")      # the card may still be rendering
    tags = [t.strip() for t in card.locator(".rnn-tag").all_inner_texts()]
    assert tags == ["Time", "Hidden"]
    details = card.locator("details").first
    assert details.evaluate("e => e.open") is False
    assert "show the interview answer" in details.locator("summary").inner_text()
    answer = details.locator("div", has_text="Answer.").first
    assert not answer.is_visible()
    pg.screenshot(path=str(ART / "01_card.png"))
    details.locator("summary").click()
    answer.wait_for(state="visible")
    assert "hidden state" in answer.inner_text()
    # the learner's Lab has no instructor pages
    assert pg.locator(".lm-MenuBar-itemLabel", has_text="Formgrader").count() == 0
    assert pg.locator("text=Create Assignment").count() == 0

    _run_all(pg)
    _wait_idle(pg)
    # a wrong implementation in the first solution cell: the visible check explains the mistake
    cell = pg.locator(".jp-NotebookPanel:visible .jp-CodeCell", has_text="def rnn_scan").first
    cell.locator(".cm-content").click()
    pg.keyboard.press("Control+a")
    pg.keyboard.insert_text(WRONG_SCAN)
    pg.keyboard.press("Escape")
    _run_all(pg)
    _wait_idle(pg)                                          # runs until the first failing check
    err = pg.locator(".jp-NotebookPanel:visible .jp-OutputArea-output", has_text="CheckError")
    try:
        err.first.wait_for(state="visible", timeout=60_000)
    finally:
        pg.screenshot(path=str(ART / "01_visible_check.png"))
    message = err.first.inner_text()
    assert "rnn_scan must return a numpy array, not a list" in message, message
    err.first.scroll_into_view_if_needed()
    pg.screenshot(path=str(ART / "01_visible_check.png"))

    # nbgrader's Validate button runs the notebook and reports
    pg.locator(".jp-NotebookPanel:visible button:has-text('Validate'), "
               ".jp-NotebookPanel:visible jp-button:has-text('Validate')").first.click()
    dialog = pg.locator(".jp-Dialog")
    dialog.wait_for(state="visible", timeout=120_000)
    pg.wait_for_function("() => !document.querySelector('.jp-Dialog')?.innerText.includes('Validating')",
                         timeout=120_000)
    text = dialog.inner_text()
    pg.screenshot(path=str(ART / "01_validate.png"))
    assert "failed" in text.lower() or "error" in text.lower() or "passed" in text.lower(), text
    dialog.locator("button").last.click()


def test_course_index_opens(page):
    pg, lab = page
    _open(pg, lab, "00_index.ipynb")
    pg.wait_for_selector(".jp-NotebookPanel:visible .jp-RenderedMarkdown .rnn-card", state="visible")
    links = pg.locator(".jp-NotebookPanel:visible .jp-RenderedMarkdown a")
    hrefs = {a.get_attribute("href") for a in links.all()}
    names = {m.group(1) for h in hrefs if h for m in [re.search(r"(\d\d_\w+\.ipynb)(\?|$)", h)] if m}
    available = {p.name for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")}
    assert names == available, hrefs
    assert pg.locator("text=Quick-review checklist").count() >= 1
    pg.screenshot(path=str(ART / "00_index.png"), full_page=False)


def test_mock_interview_completes_a_question(page):
    """Notebook 16 opens, runs, shows a prompt with its countdown and scores an answer."""
    pg, lab = page
    _open(pg, lab, "16_mock_interview.ipynb")
    started = "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]" \
              ".some(e => /\\[(\\*|\\d+)\\]/.test(e.innerText))"
    for attempt in range(4):             # with several kernels open, the first Run All can go unheard
        if attempt < 2:
            _run_all(pg)
        else:                            # then the same command, sent to the Lab directly
            _dismiss_dialogs(pg)
            pg.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            pg.wait_for_function(started, timeout=15_000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: try again
            time.sleep(2)
    _wait_idle(pg)
    panel = ".jp-NotebookPanel:visible"
    timer = pg.locator(f"{panel} .rnn-timer").first
    try:
        timer.wait_for(state="attached", timeout=60_000)
    finally:
        pg.screenshot(path=str(ART / "16_mock_interview.png"), full_page=True)
    assert timer.get_attribute("data-seconds") == "75"
    out = pg.locator(f"{panel} .jp-OutputArea-output")
    right = out.filter(has_text=re.compile(r"^\s*right · \d+ s"))
    right.first.wait_for(state="attached", timeout=60_000)        # the numeric prompt, checked at once
    assert out.filter(has_text="next review").count() >= 1         # the free-text prompt, self-scored
    assert out.filter(has_text="Review next").count() >= 1
    assert pg.locator(f"{panel} .jp-OutputArea-output", has_text="Traceback").count() == 0
    pg.screenshot(path=str(ART / "16_mock_interview.png"))
