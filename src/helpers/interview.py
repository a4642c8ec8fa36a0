"""The mock interview of notebook 16: a question bank drawn from the course notebooks, a
Leitner schedule kept in workspace/, timed free-text questions scored against their rubrics,
auto-checked numeric prompts and whiteboard drills compared with reference drawings.

Infrastructure only: the bank is read from the notebooks (cards, interview rubrics, quick checks,
follow-ups); the only answers held here are for prompts no notebook grades, and the whiteboard
drawing of the unrolled RNN (notebook 03's graded `unrolled_edges`) is kept as hashes.
"""
from __future__ import annotations

import ast
import hashlib
import html
import json
import math
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .questions import BY_NUMBER, QUESTIONS, TAG_COLOURS

BOX_DAYS = (0, 1, 3, 7, 16)          # Leitner boxes 1..5: days until the item is due again
FREE_TEXT_SECONDS = 75               # an interview answer takes 60-90 s
SCHEDULE_VERSION = 1


class InterviewError(ValueError):
    """A wrong call of the mock interview (the message says what to do)."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


@dataclass
class Item:
    """One prompt of the bank.

    kind: "card" (the question itself), "followup", "quick" (multiple choice), "numeric",
    "whiteboard". question: 1..15, the topic it belongs to.
    """
    id: str
    kind: str
    question: int
    prompt: str
    answer: str = ""                     # model answer (free text), or how to read the answer
    rubric: list = field(default_factory=list)
    expected: object = None              # for quick/numeric: the value that is right
    seconds: int = FREE_TEXT_SECONDS

    @property
    def auto(self) -> bool:
        return self.kind in ("quick", "numeric")

    @property
    def tags(self) -> tuple:
        return BY_NUMBER[self.question].tags


# --------------------------------------------------------------------------------------------
# The bank, read from the notebooks
# --------------------------------------------------------------------------------------------

_FOLLOW = re.compile(r"<details>\s*<summary>\s*<b>Follow-up (\d+)\.</b>(.+?)</summary>(.+?)</details>", re.S)
_SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _solution_value(source: str, name: str):
    """The literal assigned to `name` in a solution block (None when it is not a literal)."""
    m = _SOLUTION.search(source)
    body = m.group(1) if m else source
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            try:
                return ast.literal_eval(node.value)
            except ValueError:
                return None
    return None


def _rubric(text: str) -> tuple[str, list]:
    """Split an interview_answer solution into the model answer and its rubric lines."""
    m = _SOLUTION.search(text)
    text = (m.group(1) if m else text).strip()
    parts = re.split(r"\*\*Rubric[^*]*\*\*\.?", text, maxsplit=1)
    model = re.sub(r"^\*\*Model answer\.\*\*\s*", "", parts[0].strip())
    lines = []
    if len(parts) > 1:
        for chunk in re.split(r"\n\s*[-*]\s+", "\n" + parts[1]):
            chunk = " ".join(chunk.split())
            if chunk:
                lines.append(chunk)
    return model, lines


def _previous_markdown(cells, i) -> str:
    for j in range(i - 1, -1, -1):
        if cells[j].get("cell_type") == "markdown":
            return _source(cells[j])
    return ""


def items_from_notebook(nb: dict, number: int) -> list[Item]:
    """The card, follow-ups, quick checks and follow-up checks of one solution notebook."""
    cells = nb.get("cells", [])
    q = BY_NUMBER[number]
    model, rubric = q.answer, []
    out = []
    for i, cell in enumerate(cells):
        meta, src = _nbgrader(cell), _source(cell)
        gid = meta.get("grade_id", "")
        if gid == "interview_answer":
            model, rubric = _rubric(src)
        elif meta.get("solution") and not meta.get("grade") and (gid.startswith("quick_check") or gid.startswith("followup_")):
            name = "answer" if gid.startswith("quick_check") else gid
            value = _solution_value(src, name)
            if value is None:
                continue
            kind = "quick" if gid.startswith("quick_check") else "numeric"
            out.append(Item(f"q{number:02d}.{gid}", kind, number, _previous_markdown(cells, i).strip(),
                            answer=repr(value), expected=value, seconds=FREE_TEXT_SECONDS))
        if cell.get("cell_type") == "markdown":
            for n, question, answer in _FOLLOW.findall(src):
                out.append(Item(f"q{number:02d}.followup{n}", "followup", number, question.strip(),
                                answer=answer.strip(), rubric=["the key point of the model answer"]))
    card = Item(f"q{number:02d}.card", "card", number, q.title, answer=model,
                rubric=rubric or ["the answer of the card, in your own words"])
    return [card] + out


def _numeric_prompts() -> list[Item]:
    """Short numeric prompts whose answers come from torch itself (no notebook grades them)."""
    import torch

    from .torch_map import module_parameter_count

    def count(module) -> int:
        return int(module_parameter_count(module))

    prompts = []
    for D, H in ((32, 64), (100, 128)):
        prompts.append(Item(f"num.lstm.{D}.{H}", "numeric", 6,
                            f"How many trainable parameters has `torch.nn.LSTM({D}, {H})` (one layer)?",
                            answer="4 gates x (H*D + H*H + 2H)", expected=count(torch.nn.LSTM(D, H))))
        prompts.append(Item(f"num.gru.{D}.{H}", "numeric", 7,
                            f"How many trainable parameters has `torch.nn.GRU({D}, {H})` (one layer)?",
                            answer="3 gates x (H*D + H*H + 2H)", expected=count(torch.nn.GRU(D, H))))
    prompts.append(Item("num.bi.out", "numeric", 8,
                        "`torch.nn.GRU(16, 32, bidirectional=True, batch_first=True)` on x of shape "
                        "(4, 10, 16): what is the last dimension of `output`?", answer="2H",
                        expected=int(torch.nn.GRU(16, 32, bidirectional=True, batch_first=True)(
                            torch.zeros(4, 10, 16))[0].shape[-1])))
    prompts.append(Item("num.kv.bytes", "numeric", 15,
                        "A KV cache in float32 for 1 layer, d_model = 64, after 1000 tokens: how many bytes?",
                        answer="2 (K and V) x T x d_model x 4 bytes", expected=2 * 1000 * 64 * 4))
    return prompts


def question_bank(solutions: str | Path | None = None) -> list[Item]:
    """Every prompt: the fifteen cards with their rubrics, follow-ups and quick checks (read from
    the solution notebooks), numeric prompts and the whiteboard drills."""
    folder = Path(solutions) if solutions else _solutions_dir()
    items = []
    for q in QUESTIONS:
        path = folder / q.notebook if folder else None
        if path is not None and path.exists():
            items += items_from_notebook(json.loads(path.read_text(encoding="utf-8")), q.number)
        else:
            items.append(Item(f"q{q.number:02d}.card", "card", q.number, q.title, answer=q.answer,
                              rubric=["the answer of the card, in your own words"]))
    items += _numeric_prompts()
    items += [Item(f"wb.{name}", "whiteboard", d.question, d.prompt, answer=d.hint,
                   rubric=["every edge of the reference drawing", "no extra edges"])
              for name, d in DRILLS.items()]
    return items


def _solutions_dir() -> Path | None:
    here = Path(__file__).resolve()
    for parent in [Path.cwd(), *Path.cwd().parents, *here.parents]:
        if (parent / "solutions").is_dir():
            return parent / "solutions"
    return None


# --------------------------------------------------------------------------------------------
# The schedule (Leitner boxes), stored in workspace/.review/schedule.json
# --------------------------------------------------------------------------------------------

def default_schedule_path() -> Path | None:
    """workspace/.review/schedule.json when the notebook runs in workspace/, else None (the
    session is then not saved: solutions/ and course/ are never written)."""
    env = os.environ.get("RNN_COURSE_REVIEW")
    if env:
        return Path(env)
    cwd = Path.cwd()
    if cwd.name == "workspace":
        return cwd / ".review" / "schedule.json"
    if (cwd / "workspace").is_dir() and (cwd / "solutions").is_dir():
        return cwd / "workspace" / ".review" / "schedule.json"
    return None


class Schedule:
    """Leitner boxes over item ids: a right answer moves an item up a box (reviewed later), a
    wrong one back to box 1 (reviewed tomorrow at the latest)."""

    def __init__(self, path: Path | None = None, entries: dict | None = None):
        self.path = Path(path) if path else None
        self.entries = entries or {}

    @classmethod
    def load(cls, path: Path | None) -> "Schedule":
        if path is None or not Path(path).exists():
            return cls(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            entries = data["items"] if data.get("version") == SCHEDULE_VERSION else {}
        except (OSError, ValueError, KeyError, AttributeError):
            raise InterviewError(f"{path} is not a review schedule; move it away to start a new one.") from None
        return cls(path, entries)

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": SCHEDULE_VERSION, "items": self.entries}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".schedule-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
        os.replace(tmp, self.path)           # never a half-written schedule

    def box(self, item_id: str) -> int:
        return self.entries.get(item_id, {}).get("box", 0)    # 0: never asked

    def record(self, item_id: str, fraction: float, now: datetime) -> dict:
        """Store one answer scored `fraction` in [0, 1]; returns the item's new entry."""
        e = self.entries.setdefault(item_id, {"box": 0, "seen": 0, "right": 0})
        e["seen"] += 1
        if fraction >= 0.75:
            e["right"] += 1
            e["box"] = min(max(e["box"], 1) + 1, len(BOX_DAYS))
        elif fraction < 0.5:
            e["box"] = 1
        else:
            e["box"] = max(e["box"], 1)
        e["last"] = now.isoformat(timespec="seconds")
        e["due"] = (now + timedelta(days=BOX_DAYS[e["box"] - 1])).isoformat(timespec="seconds")
        e["score"] = round(float(fraction), 3)
        return e

    def due(self, item_id: str) -> datetime | None:
        d = self.entries.get(item_id, {}).get("due")
        return datetime.fromisoformat(d) if d else None

    def weight(self, item: Item, now: datetime, graded: dict | None = None) -> float:
        """How much an item is wanted now: never seen or due items weigh most, low boxes more
        than high ones, topics lost in the graded notebooks more than those won."""
        box = self.box(item.id)
        due = self.due(item.id)
        if box == 0:
            w = 1.0
        elif due and due <= now:
            w = 1.0 + min((now - due).days, 14) / 7 + 1.0 / box
        else:
            w = 0.05 / box
        lost = 1.0 - (graded or {}).get(item.question, 1.0)
        return w * (1.0 + 2.0 * max(0.0, min(lost, 1.0)))

    def strength(self) -> dict:
        """Mean box (0..5) per question number, over the items asked so far."""
        per = {}
        for item_id, e in self.entries.items():
            m = re.match(r"q(\d\d)\.|num\.|wb\.", item_id)
            if not m or not m.group(1):
                continue
            per.setdefault(int(m.group(1)), []).append(e["box"])
        return {q: sum(b) / len(b) for q, b in per.items()}


# --------------------------------------------------------------------------------------------
# Whiteboard drills
# --------------------------------------------------------------------------------------------

def _canon(edge) -> tuple:
    if not isinstance(edge, (tuple, list)) or len(edge) not in (2, 3):
        raise InterviewError(f"an edge is (source, target) or (source, target, 'grad'), got {edge!r}")
    parts = [str(p).strip().replace(" ", "").lower() for p in edge]
    kind = parts[2] if len(parts) == 3 else "fwd"
    if kind not in ("fwd", "grad"):
        raise InterviewError(f"the third entry of an edge is 'grad' (a backward arrow), got {edge[2]!r}")
    return (parts[0], parts[1], kind)


def _hash(edge: tuple) -> str:
    return hashlib.sha256(("rnn-course-whiteboard:" + "|".join(edge)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Drill:
    question: int
    prompt: str
    hint: str
    groups: dict          # group name -> list of reference edges (plain) or of edge hashes


DRILLS = {
    "lstm_cell": Drill(
        6, "Draw one LSTM cell as edges between: x, h_prev, c_prev, f, i, g, o, c, tanh_c, h. "
           "An edge is (source, target).",
        "The gates read x and h_prev; c = f*c_prev + i*g; h = o*tanh(c).",
        {"gate inputs": [(s, t) for t in ("f", "i", "g", "o") for s in ("x", "h_prev")],
         "cell update": [("c_prev", "c"), ("f", "c"), ("i", "c"), ("g", "c")],
         "output": [("c", "tanh_c"), ("tanh_c", "h"), ("o", "h")]}),
    "attention_seq2seq": Drill(
        9, "Draw an encoder-decoder with attention for a 2-token source and one decoder step, as "
           "edges between: x1, x2, e1, e2 (encoder states), s0 (decoder state before the step), "
           "y0 (previous token), scores, weights, context, s1, y1.",
        "The encoder states and s0 give the scores; softmax gives weights; the weighted sum of the "
        "encoder states is the context; s1 reads y0, s0 and the context; y1 comes from s1 and the context.",
        {"encoder": [("x1", "e1"), ("e1", "e2"), ("x2", "e2"), ("e2", "s0")],
         "scores": [("e1", "scores"), ("e2", "scores"), ("s0", "scores"), ("scores", "weights")],
         "context": [("weights", "context"), ("e1", "context"), ("e2", "context")],
         "decoder step": [("y0", "s1"), ("s0", "s1"), ("context", "s1"), ("s1", "y1"), ("context", "y1")]}),
    # The forward part is notebook 03's graded answer: kept as hashes, missing edges are counted.
    "unrolled_bptt": Drill(
        3, "Draw the RNN unrolled over T = 3 steps for BPTT, with nodes x1..x3, h0..h3, y1..y3 and L: "
           "forward edges (source, target) and the gradient arrows as (source, target, 'grad') "
           "from L back through the outputs and states to h0.",
        "Forward: each input feeds its step, each state the next, each state its output, every "
        "output the loss. Backward: the loss, output and recurrent edges reversed, marked 'grad' "
        "(no gradient arrow is needed into the inputs).",
        {"inputs into states": ["a59fefae6ce18905", "46671ea6ef22e2e3", "c6364657f4e40108"],
         "recurrent links": ["12744aeb7f310863", "501bf6e26cfcdd7e", "467ed91b6756c57e"],
         "outputs": ["2dfe960dc0a0936c", "3cbf1e69ac63ece1", "7047e331823f62a8"],
         "loss": ["a80dc951e2a0774e", "e08ffd881f30cd13", "007d58ccb6643db3"],
         "gradient arrows": ["32b53c263d606285", "1b56e58cff1681a5", "bedc9fca9bf2d3fd",
                             "3f67378a7651db59", "4716ebd8076446ec", "fc0b22082581460a",
                             "56bad356b734303b", "5dee53bde69449a4", "bcde4b0b8a7a37df"]}),
}


def compare_drawing(name: str, edges) -> dict:
    """Compare a drawing (a list of edges) with the reference drill `name`.

    Returns {"missing": {group: [edges or count]}, "extra": [edges], "score": fraction}.
    """
    if name not in DRILLS:
        raise InterviewError(f"no whiteboard drill {name!r}; drills: {', '.join(DRILLS)}")
    given = [_canon(e) for e in edges]
    drill = DRILLS[name]
    groups = drill.groups
    hashed = name == "unrolled_bptt"
    ref_all = set()
    missing = {}
    for group, ref in groups.items():
        keys = set(ref) if hashed else {_canon(e) for e in ref}
        ref_all |= keys
        have = {(_hash(e) if hashed else e) for e in given}
        lost = keys - have
        if lost:
            missing[group] = len(lost) if hashed else sorted(lost)
    extra = [e for e in given if (_hash(e) if hashed else e) not in ref_all]
    hit = len(ref_all) - sum(v if isinstance(v, int) else len(v) for v in missing.values())
    score = max(0.0, (hit - len(extra)) / len(ref_all))
    return {"missing": missing, "extra": extra, "score": score, "total": len(ref_all)}


def draw_edges(edges, ax=None, title: str = ""):
    """Draw a list of edges as a layered graph (sources left of targets); grad arrows in red."""
    import matplotlib.pyplot as plt
    given = [_canon(e) for e in edges]
    nodes = []
    for s, t, _ in given:
        for n in (s, t):
            if n not in nodes:
                nodes.append(n)
    fwd = [(s, t) for s, t, k in given if k == "fwd"]
    depth = {n: 0 for n in nodes}
    for _ in range(len(nodes)):                    # longest path from a source, cycles capped
        for s, t in fwd:
            if depth[t] < depth[s] + 1 <= len(nodes):
                depth[t] = depth[s] + 1
    layers = {}
    for n in nodes:
        layers.setdefault(depth[n], []).append(n)
    pos = {n: (d, -i + (len(layer) - 1) / 2) for d, layer in layers.items() for i, n in enumerate(layer)}
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 + 1.3 * len(layers), 0.8 + 0.7 * max(len(v) for v in layers.values())))
    for s, t, k in given:
        (x0, y0), (x1, y1) = pos[s], pos[t]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color="#c62828" if k == "grad" else "#455a64",
                                    lw=1.1, shrinkA=11, shrinkB=11,
                                    connectionstyle="arc3,rad=0.25" if k == "grad" else "arc3"))
    for n, (x, y) in pos.items():
        ax.text(x, y, n, ha="center", va="center", fontsize=9,
                bbox=dict(boxstyle="round", fc="#e8f5e9", ec="#2e7d32"))
    ax.set_xlim(-0.6, max(layers) + 0.6)
    ax.set_ylim(min(y for _, y in pos.values()) - 0.7, max(y for _, y in pos.values()) + 0.7)
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    return ax


# --------------------------------------------------------------------------------------------
# A session
# --------------------------------------------------------------------------------------------

def _timer_html(seconds: int, key: str) -> str:
    """A visible countdown: a bar that empties over `seconds` and a seconds counter."""
    return (f'<div class="rnn-timer" data-seconds="{seconds}" style="margin:6px 0">'
            f'<style>@keyframes rnn-empty-{key} {{ from {{ width: 100%; }} to {{ width: 0%; }} }}</style>'
            f'<div style="background:#eeeeee;height:8px;border-radius:4px;width:100%">'
            f'<div style="background:#c62828;height:8px;border-radius:4px;'
            f'animation:rnn-empty-{key} {seconds}s linear forwards"></div></div>'
            f'<span id="rnn-t-{key}" style="font-size:0.85em;color:#555">{seconds} s to answer</span>'
            f'<script>(function(){{var n={seconds};var el=document.getElementById("rnn-t-{key}");'
            f'var id=setInterval(function(){{n-=1;if(!el){{clearInterval(id);return;}}'
            f'el.textContent=n>0?n+" s left":"time is up: finish your sentence";'
            f'if(n<=0)clearInterval(id);}},1000);}})();</script></div>')


class _HTML:
    def __init__(self, text: str, html_text: str):
        self.text, self.html = text, html_text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return self.html


def _matches(expected, given) -> bool:
    if isinstance(expected, str):
        return isinstance(given, str) and given.strip().lower() == expected.strip().lower()
    if isinstance(expected, bool) or isinstance(given, bool):
        return expected is given
    if isinstance(expected, (int, float)) and isinstance(given, (int, float)):
        return math.isclose(float(given), float(expected), rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(expected, (tuple, list)) and isinstance(given, (tuple, list)):
        return len(expected) == len(given) and all(_matches(a, b) for a, b in zip(expected, given))
    return expected == given


class MockInterview:
    """A mixed, timed mock interview.

        mock = MockInterview(n=6)       # draws six prompts, weighted toward what is due
        mock.ask()                      # shows the next prompt with its countdown
        mock.answer("...")              # free text: reveals the model answer and rubric
        mock.score(1, 0)                # one number per rubric line (1 = earned)
        mock.answer(33280)              # numeric / multiple choice: checked at once
        mock.whiteboard("lstm_cell", [("x", "f"), ...])   # draw and compare a drawing
        mock.summary()                  # what to review next and when, strength per topic

    n prompts are drawn (seeded by `seed`, else by the clock), or `ids` fixes them in order.
    """

    def __init__(self, n: int = 6, seed: int | None = None, schedule: str | Path | None = "default",
                 now: datetime | None = None, graded: dict | None = None, bank: list | None = None,
                 ids: list | None = None, clock=time.monotonic):
        import random
        self.now = now or datetime.now(timezone.utc).replace(microsecond=0)
        path = default_schedule_path() if schedule == "default" else (Path(schedule) if schedule else None)
        self.schedule = Schedule.load(path)
        self.bank = bank if bank is not None else question_bank()
        self.by_id = {it.id: it for it in self.bank}
        self.rng = random.Random(seed if seed is not None else int(self.now.timestamp()))
        self.clock = clock
        unknown = [i for i in ids or [] if i not in self.by_id]
        if unknown:
            raise InterviewError(f"no prompts {unknown} in the bank")
        self.queue = [self.by_id[i] for i in ids] if ids else self._draw(n, graded)
        self.current: Item | None = None
        self.started = 0.0
        self.pending: Item | None = None      # a free-text item waiting for its score
        self.log: list = []

    # drawing ------------------------------------------------------------------------------
    def _draw(self, n: int, graded: dict | None) -> list:
        pool = [it for it in self.bank if it.kind != "whiteboard"]
        chosen, topics = [], set()
        while pool and len(chosen) < n:
            weights = [self.schedule.weight(it, self.now, graded) * (0.3 if it.question in topics else 1.0)
                       for it in pool]
            pick = self.rng.choices(range(len(pool)), weights=weights)[0]
            item = pool.pop(pick)
            chosen.append(item)
            topics.add(item.question)
        return chosen

    @property
    def path(self) -> Path | None:
        return self.schedule.path

    # asking and answering ----------------------------------------------------------------
    def ask(self):
        """Show the next prompt (free text gets a countdown)."""
        if self.pending is not None:
            raise InterviewError(f"score the last answer first: mock.score(...) with "
                                 f"{len(self.pending.rubric)} number(s), one per rubric line.")
        if not self.queue:
            return _HTML("No prompts left: run mock.summary().", "<p>No prompts left: run <code>mock.summary()</code>.</p>")
        self.current = self.queue.pop(0)
        self.started = self.clock()
        it = self.current
        q = BY_NUMBER[it.question]
        head = f"[{len(self.log) + 1}] Q{q.number} {q.title} · {it.kind}"
        how = ("answer with mock.answer(value)" if it.auto
               else f"say it aloud or type it: mock.answer(\"...\") within {it.seconds} s")
        timer = "" if it.auto else _timer_html(it.seconds, f"{len(self.log)}-{int(self.started * 1000) % 10**6}")
        body = html.escape(it.prompt).replace("\n", "<br>")
        return _HTML(f"{head}\n{it.prompt}\n({how})",
                     f'<div style="border-left:5px solid {q.colour};padding:6px 12px">'
                     f"<b>{html.escape(head)}</b><div>{body}</div>{timer}"
                     f'<div style="color:#555;font-size:0.85em">{html.escape(how)}</div></div>')

    def answer(self, given):
        """Answer the current prompt. Auto-checked prompts are scored at once; free text reveals
        the model answer and rubric for self-scoring."""
        if given is Ellipsis:
            return _HTML("Type your answer in place of ... and run the cell: mock.answer(\"...\") "
                         "for free text, mock.answer(42) or mock.answer(\"b\") for a number or a choice.",
                         "<p>Type your answer in place of <code>...</code> and run the cell.</p>")
        it = self.current
        if it is None:
            raise InterviewError("no question asked yet: run mock.ask() first.")
        elapsed = self.clock() - self.started
        self.current = None
        if it.auto:
            ok = _matches(it.expected, given)
            self._record(it, 1.0 if ok else 0.0, elapsed, given)
            verdict = "right" if ok else f"not quite: the answer is {it.expected!r} ({it.answer})"
            return _HTML(f"{verdict} · {elapsed:.0f} s", f"<p><b>{html.escape(verdict)}</b> · {elapsed:.0f} s</p>")
        if not isinstance(given, str) or not given.strip():
            self.current = it
            raise InterviewError("a free-text answer is a non-empty string: mock.answer(\"...\").")
        self.pending, self.pending_elapsed, self.pending_text = it, elapsed, given
        late = "" if elapsed <= it.seconds else f" (over time by {elapsed - it.seconds:.0f} s)"
        rubric = "\n".join(f"  {k + 1}. {line}" for k, line in enumerate(it.rubric))
        text = (f"answered in {elapsed:.0f} s{late}\nModel answer: {it.answer}\nRubric:\n{rubric}\n"
                f"Score yourself: mock.score(" + ", ".join("1/0" for _ in it.rubric) + ")")
        items = "".join(f"<li>{html.escape(line)}</li>" for line in it.rubric)
        return _HTML(text, f"<p>answered in {elapsed:.0f} s{html.escape(late)}</p>"
                           f"<details open><summary><b>Model answer and rubric</b></summary>"
                           f"<p>{html.escape(it.answer)}</p><ol>{items}</ol></details>"
                           f"<p>Score yourself: <code>mock.score(" + ", ".join("1/0" for _ in it.rubric)
                           + ")</code></p>")

    def score(self, *points):
        """Self-score the last free-text answer: one 0/1 per rubric line."""
        it = self.pending
        last_auto = bool(self.log) and self.log[-1]["kind"] in ("quick", "numeric")
        if points == (Ellipsis,) or (it is None and last_auto):
            if it is not None:
                msg = f"Put one 1 (earned) or 0 per rubric line in place of ...: {len(it.rubric)} number(s)."
            elif last_auto:
                msg = "The last prompt was checked automatically: nothing to score."
            else:
                msg = "Answer first: mock.answer(\"...\"), then score it here."
            return _HTML(msg, f"<p>{html.escape(msg)}</p>")
        if it is None:
            raise InterviewError("nothing to score: mock.score(...) follows mock.answer(\"...\") on a free-text prompt.")
        if len(points) != len(it.rubric) or any(p not in (0, 1, True, False) for p in points):
            raise InterviewError(f"give one 0 or 1 per rubric line: {len(it.rubric)} number(s), got {points!r}.")
        self.pending = None
        fraction = sum(points) / len(points)
        self._record(it, fraction, self.pending_elapsed, self.pending_text)
        e = self.schedule.entries[it.id]
        return _HTML(f"{sum(points)}/{len(points)}: next review {e['due'][:10]} (box {e['box']})",
                     f"<p>{sum(points)}/{len(points)}: next review {e['due'][:10]} (box {e['box']})</p>")

    def whiteboard(self, name: str, edges, draw: bool = True) -> dict:
        """Compare a drawing with the reference drill `name` (and draw it); scored into the schedule."""
        result = compare_drawing(name, edges)
        if draw:
            draw_edges(edges, title=f"your drawing: {name}")
        self._record(self.by_id.get(f"wb.{name}") or Item(f"wb.{name}", "whiteboard", DRILLS[name].question,
                                                           DRILLS[name].prompt), result["score"], 0.0, list(edges))
        return result

    def _record(self, it: Item, fraction: float, elapsed: float, given) -> None:
        self.schedule.record(it.id, fraction, self.now)
        self.schedule.save()
        self.log.append({"id": it.id, "kind": it.kind, "question": it.question,
                         "score": fraction, "seconds": round(elapsed, 1)})

    # the end -------------------------------------------------------------------------------
    def review_plan(self, limit: int = 8) -> list:
        """(item id, due date, box) of the items to review next, soonest first."""
        rows = [(i, self.schedule.due(i), e["box"]) for i, e in self.schedule.entries.items() if e.get("due")]
        rows.sort(key=lambda r: (r[1], r[2], r[0]))
        return rows[:limit]

    def summary(self, png: str | Path | None = None):
        """What to review next and when, and a chart of strength per topic and per question."""
        import matplotlib.pyplot as plt
        strength = self.schedule.strength()
        fig, (ax_q, ax_t) = plt.subplots(1, 2, figsize=(10, 3), gridspec_kw={"width_ratios": [3, 1]})
        nums = [q.number for q in QUESTIONS]
        ax_q.bar(nums, [strength.get(n, 0) for n in nums], color=[BY_NUMBER[n].colour for n in nums])
        ax_q.set_xticks(nums)
        ax_q.set_ylim(0, len(BOX_DAYS))
        ax_q.set_xlabel("question")
        ax_q.set_ylabel("mean Leitner box (0 = not asked)")
        tags = list(TAG_COLOURS)
        per_tag = [[strength.get(q.number, 0) for q in QUESTIONS if t in q.tags] for t in tags]
        ax_t.barh(tags, [sum(v) / len(v) for v in per_tag], color=[TAG_COLOURS[t] for t in tags])
        ax_t.set_xlim(0, len(BOX_DAYS))
        ax_t.set_title("per tag", fontsize=10)
        fig.tight_layout()
        if png:
            fig.savefig(png, dpi=80)
        plan = self.review_plan()
        lines = [f"{i:<28} {d:%Y-%m-%d}  box {b}" for i, d, b in plan]
        saved = f"schedule saved in {self.path}" if self.path else "schedule not saved (run this notebook in workspace/)"
        text = "Review next:\n" + "\n".join(lines) + f"\n{saved}"
        return _HTML(text, "<p><b>Review next</b></p><pre>" + html.escape("\n".join(lines)) + "</pre>"
                           f"<p>{html.escape(saved)}</p>")
