"""Olah-style drawings of one LSTM cell and one GRU cell, labelled with given numbers.

Used by notebooks 06 (LSTM) and 07 (GRU). The state that is carried along (the LSTM's cell
state, the GRU's hidden state) runs as a line along the top; the gates are boxes (sigmoid or
tanh layers), the point-wise operations are circles. Every label shows a value the caller
passes in: the notebooks compute the gate activations with the learner's own step function.
Nothing here computes a gate: these functions only draw and label the numbers they are given.
"""
from __future__ import annotations

import math

import numpy as np

_GATE_FC = "#fff3b0"          # gate layers (sigmoid / tanh boxes)
_OP_FC = "#f8bbd0"            # point-wise operations (circles)
_LINE = "#444444"

LSTM_GATES = {"i": (0.0, 1.0), "f": (0.0, 1.0), "g": (-1.0, 1.0), "o": (0.0, 1.0)}
LSTM_STATES = ("c_prev", "h_prev", "c", "h")
GRU_GATES = {"r": (0.0, 1.0), "z": (0.0, 1.0), "n": (-1.0, 1.0)}
GRU_STATES = ("h_prev", "h")


def _values(name: str, value, where: str, bounds=None) -> np.ndarray:
    """One example's numbers as a 1-D float array, or a ValueError saying what is wrong."""
    if hasattr(value, "detach"):                      # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: '{name}' must be a number or a 1-D array of numbers, "
                         f"got {type(value).__name__}.") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{where}: '{name}' must hold ONE example's values, shape (H,) or a number; "
                         f"got shape {tuple(arr.shape)} (take one row, e.g. {name}[0]).")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{where}: '{name}' holds NaN or inf values.")
    if bounds is not None:
        lo, hi = bounds
        if arr.min() < lo - 1e-6 or arr.max() > hi + 1e-6:      # rounding is no error
            act = "a sigmoid" if lo == 0.0 else "a tanh"
            raise ValueError(f"{where}: '{name}' has values in [{arr.min():.3g}, {arr.max():.3g}], outside "
                             f"[{lo:g}, {hi:g}]: pass the activations after {act}, not the pre-activations.")
    return arr


def _check(values: dict, gates: dict, states: tuple, where: str) -> dict:
    if not isinstance(values, dict):
        raise ValueError(f"{where}: pass a dict of gate activations with the keys "
                         f"{', '.join(gates)}; got {type(values).__name__}.")
    missing = [k for k in gates if k not in values]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(repr(k) for k in missing)} "
                         f"(give the gates {', '.join(gates)}; optional: {', '.join(states)}).")
    unknown = sorted(set(values) - set(gates) - set(states))
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown} (gates {', '.join(gates)}; "
                         f"optional states {', '.join(states)}).")
    out = {k: _values(k, values[k], where, gates.get(k)) for k in values}
    sizes = {k: v.size for k, v in out.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"{where}: every value needs the same number of units, got sizes {sizes}.")
    return out


def _fmt(arr: np.ndarray, sep: str = " ") -> str:
    """'0.973' for one unit; 'mean 0.91 [0.80, 0.99]' (min and max) for several."""
    if arr.size == 1:
        return f"{arr[0]:.3f}"
    return f"mean {arr.mean():.2f}{sep}[{arr.min():.2f}, {arr.max():.2f}]"


def _gate(ax, x, y, label, fn, value, w=0.8, h=0.62):
    from matplotlib.patches import FancyBboxPatch
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.03",
                                fc=_GATE_FC, ec="#333333", lw=1.1, zorder=3))
    ax.text(x, y + 0.08, fn, ha="center", va="center", fontsize=11, zorder=4)
    ax.text(x, y - 0.22, label, ha="center", va="center", fontsize=8, zorder=4, color="#333333")
    if value is not None:
        text = f"{label} = {_fmt(value)}" if value.size == 1 else f"{label}: {_fmt(value, chr(10))}"
        ax.text(x, y - h / 2 - 0.1, text, ha="center", va="top", fontsize=7,
                zorder=5, color="#1a237e",
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))


def _op(ax, x, y, sym, r=0.28):
    from matplotlib.patches import Circle
    ax.add_patch(Circle((x, y), r, fc=_OP_FC, ec="#333333", lw=1.1, zorder=3))
    ax.text(x, y, sym, ha="center", va="center", fontsize=10 if len(sym) == 1 else 7, zorder=4)


def _arrow(ax, a, b, shrink_a=0.0, shrink_b=0.3, colour=_LINE, lw=1.3):
    """Straight arrow from a to b, cut short by shrink_a / shrink_b (data units) at the ends."""
    (x0, y0), (x1, y1) = a, b
    d = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / d, (y1 - y0) / d
    ax.annotate("", xy=(x1 - ux * shrink_b, y1 - uy * shrink_b),
                xytext=(x0 + ux * shrink_a, y0 + uy * shrink_a), zorder=2,
                arrowprops=dict(arrowstyle="-|>", lw=lw, color=colour, shrinkA=0, shrinkB=0,
                                mutation_scale=11))


def _line(ax, xs, ys, colour=_LINE, lw=1.3):
    ax.plot(xs, ys, color=colour, lw=lw, zorder=1, solid_capstyle="round")


def _state_label(ax, x, y, tex, value, ha):
    text = tex if value is None else f"{tex} = {_fmt(value)}"
    ax.text(x, y, text, ha=ha, va="center", fontsize=9, zorder=5)


def _frame(ax, x0, y0, x1, y1):
    from matplotlib.patches import FancyBboxPatch
    ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0.1", fc="#f5f5f5",
                                ec="#9e9e9e", lw=1.0, zorder=0))


def _new_axes(ax, figsize):
    import matplotlib.pyplot as plt
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    return ax.figure, ax


def draw_lstm_cell(values: dict, title: str | None = None, ax=None, figsize=(9.5, 5.2)):
    """Draw one LSTM step (torch's gates i, f, g, o) labelled with the given activations.

    values: dict with the gate activations of ONE example, each a number or shape (H,):
        "i", "f", "o" in [0, 1] (after the sigmoid) and "g" in [-1, 1] (after the tanh);
        optional states "c_prev", "h_prev" (inputs) and "c", "h" (outputs) to label the lines.
    With H > 1 each label shows the mean and the range over the units.
    Returns the matplotlib Figure. Raises ValueError (one line) on missing keys, wrong shapes,
    NaN, or gate values outside their activation's range (pre-activations passed by mistake).
    """
    v = _check(values, LSTM_GATES, LSTM_STATES, "draw_lstm_cell")
    fig, ax = _new_axes(ax, figsize)
    top, mid, low = 5.0, 2.4, 0.9                     # cell line, gate row, hidden line
    _frame(ax, 0.9, 0.35, 9.1, 5.55)
    # the cell state: along the top, changed only by x (forget) and + (write)
    _line(ax, [0.0, 10.0], [top, top], lw=2.4)
    _arrow(ax, (9.2, top), (10.0, top), shrink_b=0.0, lw=2.4)
    _op(ax, 1.9, top, "×")
    _op(ax, 4.55, top, "+")
    # the gate layers, all fed by [h_{t-1}, x_t]
    gx = {"f": 1.9, "i": 3.25, "g": 4.55, "o": 6.0}
    for k, fn in [("f", "σ"), ("i", "σ"), ("g", "tanh"), ("o", "σ")]:
        _gate(ax, gx[k], mid, k, fn, v[k])
        _line(ax, [gx[k], gx[k]], [low, mid - 0.31])
    _line(ax, [0.0, 6.0], [low, low])                 # h_{t-1} joins x_t, then feeds every gate
    _line(ax, [1.4, 1.4], [-0.3, low])
    _arrow(ax, (gx["f"], mid + 0.31), (1.9, top), shrink_b=0.28)          # f scales the old cell
    _op(ax, 3.9, 3.75, "×")                                              # i * g
    _arrow(ax, (gx["i"], mid + 0.31), (3.9, 3.75), shrink_b=0.28)
    _arrow(ax, (gx["g"], mid + 0.31), (3.9, 3.75), shrink_b=0.28)
    _arrow(ax, (3.9, 3.75), (4.55, top), shrink_a=0.28, shrink_b=0.28)     # ... is added to the cell
    # the output: o * tanh(c_t)
    _op(ax, 7.6, 3.75, "tanh")
    _arrow(ax, (7.6, top), (7.6, 3.75), shrink_b=0.28)
    _op(ax, 7.6, mid, "×")
    _arrow(ax, (7.6, 3.75), (7.6, mid), shrink_a=0.28, shrink_b=0.28)
    _arrow(ax, (gx["o"] + 0.4, mid), (7.6, mid), shrink_b=0.28)
    _line(ax, [7.6, 7.6], [mid - 0.28, low])
    _line(ax, [7.6, 9.2], [low, low])
    _arrow(ax, (9.2, low), (10.0, low), shrink_b=0.0)
    _state_label(ax, -0.1, top + 0.35, "$c_{t-1}$", v.get("c_prev"), "left")
    _state_label(ax, 10.1, top + 0.35, "$c_t$", v.get("c"), "right")
    _state_label(ax, -0.1, low + 0.3, "$h_{t-1}$", v.get("h_prev"), "left")
    _state_label(ax, 10.1, low + 0.3, "$h_t$", v.get("h"), "right")
    ax.text(1.4, -0.45, "$x_t$", ha="center", va="top", fontsize=10)
    ax.text(5.0, 5.85, r"$c_t = f \odot c_{t-1} + i \odot g$,   $h_t = o \odot \tanh(c_t)$",
            ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.3, 10.3)
    ax.set_ylim(-0.9, 6.4)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def draw_gru_cell(values: dict, title: str | None = None, ax=None, figsize=(9.5, 5.2)):
    """Draw one GRU step (torch's gates r, z, n) labelled with the given activations.

    values: dict with the activations of ONE example, each a number or shape (H,):
        "r", "z" in [0, 1] (after the sigmoid) and "n" in [-1, 1] (after the tanh);
        optional states "h_prev" (input) and "h" (output) to label the lines.
    The reset gate is drawn where PyTorch applies it: on W_hn h + b_hn, inside the candidate.
    Returns the matplotlib Figure. Raises ValueError (one line) on missing keys, wrong shapes,
    NaN, or gate values outside their activation's range.
    """
    v = _check(values, GRU_GATES, GRU_STATES, "draw_gru_cell")
    fig, ax = _new_axes(ax, figsize)
    top, mid, low = 5.0, 2.4, 0.9                     # state line, gate row, input line
    _frame(ax, 0.9, 0.35, 9.1, 5.55)
    # the state h: along the top, kept by z, written by (1 - z) * n
    _line(ax, [0.0, 10.0], [top, top], lw=2.4)
    _arrow(ax, (9.2, top), (10.0, top), shrink_b=0.0, lw=2.4)
    _op(ax, 2.2, top, "×")
    _op(ax, 7.6, top, "+")
    gx = {"z": 2.2, "r": 3.8, "n": 5.5}
    _line(ax, [0.6, 0.6], [top, low])                 # h_{t-1} comes down to feed the gates
    _line(ax, [0.6, 5.85], [low, low])
    _line(ax, [1.4, 1.4], [-0.3, low])
    for k in ("z", "r"):
        _gate(ax, gx[k], mid, k, "σ", v[k])
        _line(ax, [gx[k], gx[k]], [low, mid - 0.31])
    _arrow(ax, (gx["z"], mid + 0.31), (2.2, top), shrink_b=0.28)          # z keeps the old state
    # the candidate: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), the reset AFTER the matrix
    _op(ax, 5.2, mid, "×")
    _arrow(ax, (gx["r"] + 0.4, mid), (5.2, mid), shrink_b=0.28)
    _arrow(ax, (5.2, low), (5.2, mid), shrink_b=0.28)
    ax.text(5.1, 1.3, r"$W_{hn} h_{t-1} + b_{hn}$", ha="right", va="center", fontsize=7, color="#555555")
    _gate(ax, gx["n"], 3.65, "n", "tanh", None)
    _arrow(ax, (5.2, mid), (5.2, 3.65 - 0.31), shrink_a=0.28, shrink_b=0.0)
    _arrow(ax, (5.85, low), (5.85, 3.65 - 0.31), shrink_b=0.0)
    ax.text(5.95, 1.3, r"$W_{in} x_t + b_{in}$", ha="left", va="center", fontsize=7, color="#555555")
    n_text = f"n = {_fmt(v['n'])}" if v["n"].size == 1 else f"n: {_fmt(v['n'], chr(10))}"
    ax.text(gx["n"] - 0.5, 3.65, n_text, ha="right", va="center", fontsize=7, color="#1a237e", zorder=5)
    # (1 - z) * n is written into the state
    _line(ax, [gx["z"], 6.7 - 0.28], [4.35, 4.35], colour="#777777")
    _op(ax, 6.7, 4.35, "1−")
    _op(ax, 7.6, 3.65, "×")
    _arrow(ax, (6.7, 4.35), (7.6, 3.65), shrink_a=0.28, shrink_b=0.28)
    _arrow(ax, (gx["n"] + 0.4, 3.65), (7.6, 3.65), shrink_b=0.28)
    _arrow(ax, (7.6, 3.65), (7.6, top), shrink_a=0.28, shrink_b=0.28)
    _state_label(ax, -0.1, top + 0.35, "$h_{t-1}$", v.get("h_prev"), "left")
    _state_label(ax, 10.1, top + 0.35, "$h_t$", v.get("h"), "right")
    ax.text(1.4, -0.45, "$x_t$", ha="center", va="top", fontsize=10)
    ax.text(5.0, 5.85, r"$h_t = (1 - z) \odot n + z \odot h_{t-1}$,   "
                       r"$n = \tanh(W_{in} x_t + b_{in} + r \odot (W_{hn} h_{t-1} + b_{hn}))$",
            ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.3, 10.3)
    ax.set_ylim(-0.9, 6.4)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return fig
