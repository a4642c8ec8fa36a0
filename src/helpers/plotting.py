"""Plots used across the course: the unrolled graph, heat maps, curves on log axes."""
from __future__ import annotations

import re

import numpy as np

_NODE = re.compile(r"^([A-Za-z_]+?)_?(\d*)$")
_ROWS = {"x": 0, "h": 1, "c": 1.5, "y": 2, "L": 3, "loss": 3}


def _plt():
    import matplotlib
    import matplotlib.pyplot as plt
    return matplotlib, plt


def node_position(name: str):
    """Layout of a node called like 'x3', 'h0', 'y_2' or 'L': column = index, row = letter."""
    m = _NODE.match(str(name))
    if not m:
        raise ValueError(f"node {name!r}: expected a letter followed by a time index, e.g. 'h3'")
    letter, idx = m.group(1), m.group(2)
    row = _ROWS.get(letter, 4)
    return (float(idx) if idx else None), row


def draw_unrolled(edges, ax=None, title: str = "Unrolled RNN"):
    """Draw a directed graph given as a list of (source, target) node names.

    Nodes named like 'x1', 'h0', 'y1', 'L' are placed in a grid: inputs at the bottom, hidden
    states above them, outputs above those, the loss on top. Returns the matplotlib Axes.
    """
    _, plt = _plt()
    edges = [(str(a), str(b)) for a, b in edges]
    nodes = sorted({n for e in edges for n in e})
    pos = {}
    cols = [node_position(n)[0] for n in nodes if node_position(n)[0] is not None]
    centre = (min(cols) + max(cols)) / 2 if cols else 0.0
    for n in nodes:
        col, row = node_position(n)
        pos[n] = (centre if col is None else col, row)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4, 1.3 * (len(set(cols)) + 1)), 3.6))
    colours = {0: "#90caf9", 1: "#ce93d8", 1.5: "#80deea", 2: "#a5d6a7", 3: "#ffcc80", 4: "#eeeeee"}
    for a, b in edges:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="->", lw=1.2, color="#555", shrinkA=13, shrinkB=13))
    for n, (x, y) in pos.items():
        ax.scatter([x], [y], s=650, color=colours.get(y, "#eee"), edgecolors="#333", zorder=3)
        ax.text(x, y, n, ha="center", va="center", fontsize=9, zorder=4)
    ax.set_title(title)
    ax.axis("off")
    ax.margins(0.15)
    return ax


def state_heatmap(h_all, ax=None, title: str = "Hidden state over time"):
    """Heat map of states h_all: (T, H) (time on the x axis, units on the y axis)."""
    _, plt = _plt()
    h = np.asarray(h_all)
    if h.ndim == 3:
        h = h[0]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3))
    im = ax.imshow(h.T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    ax.set_xlabel("time step t")
    ax.set_ylabel("hidden unit")
    ax.set_title(title)
    ax.figure.colorbar(im, ax=ax)
    return ax


def line_plot(series: dict, xlabel: str, ylabel: str, title: str = "", logy: bool = False,
              logx: bool = False, ax=None):
    """Plot {label: (xs, ys)} on one axes; log scales on request."""
    _, plt = _plt()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for label, (xs, ys) in series.items():
        ax.plot(xs, ys, marker="o", ms=3, label=label)
    if logy:
        ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def attention_map(weights, ax=None, title: str = "Attention weights"):
    """Heat map of attention weights (T, T): query on the y axis, key on the x axis."""
    _, plt = _plt()
    w = np.asarray(weights)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    ax.imshow(w, cmap="viridis", vmin=0)
    ax.set_xlabel("key position")
    ax.set_ylabel("query position")
    ax.set_title(title)
    return ax
