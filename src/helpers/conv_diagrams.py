"""Schematic drawing of a stack of causal 1D convolutions (dots and lines, no computation).

Used by the Learn section of notebook 14 (1D CNN vs RNN). Time runs left to right; the input
row is at the bottom and each convolution layer adds one row above it. The connections that
feed the newest output are highlighted.
"""
from __future__ import annotations

BLUE = "#1f77b4"


def draw_causal_stack(kernel_size: int, dilations, T: int = 16, ax=None, title: str | None = None):
    """Draw the connections of causal conv layers with the given dilations over T steps.

    Output t of a layer with dilation d reads steps t, t - d, ..., t - (kernel_size - 1) d of the
    row below (steps before 0 are the zero padding and are not drawn). Returns the axes.
    """
    import matplotlib.pyplot as plt
    dilations = [int(d) for d in dilations]
    if ax is None:
        _, ax = plt.subplots(figsize=(0.45 * T + 1.5, 0.7 * len(dilations) + 1.4))
    rows = len(dilations) + 1
    # the highlighted tree: steps of each row that the newest output depends on, top to bottom
    active = [set() for _ in range(rows)]
    active[-1] = {T - 1}
    for layer in range(rows - 1, 0, -1):
        d = dilations[layer - 1]
        for t in active[layer]:
            for j in range(kernel_size):
                if t - j * d >= 0:
                    active[layer - 1].add(t - j * d)
    # all connections in two line collections (grey, highlighted) and one scatter per row: a few
    # artists instead of one per line and dot, so the figure draws and renders quickly
    from matplotlib.collections import LineCollection
    segments = {False: [], True: []}
    for layer in range(1, rows):
        d = dilations[layer - 1]
        for t in range(T):
            for j in range(kernel_size):
                s = t - j * d
                if s >= 0:
                    segments[t in active[layer]].append([(s, layer - 1), (t, layer)])
    ax.add_collection(LineCollection(segments[False], colors="#dddddd", linewidths=0.6, zorder=1))
    ax.add_collection(LineCollection(segments[True], colors=BLUE, linewidths=1.4, zorder=2))
    for layer in range(rows):
        ax.scatter(range(T), [layer] * T, s=28, zorder=3,
                   c=[BLUE if t in active[layer] else "#bbbbbb" for t in range(T)])
    ax.set_xlim(-0.6, T - 0.4)
    ax.set_ylim(-0.4, rows - 0.6)
    ax.set_yticks(range(rows))
    ax.set_yticklabels(["input"] + [f"layer {i + 1} (d={d})" for i, d in enumerate(dilations)], fontsize=8)
    ax.set_xticks(range(0, T, max(1, T // 8)))
    ax.set_xlabel("time step")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if title is None:
        title = f"kernel {kernel_size}, dilations {dilations}: inputs seen by the newest output"
    ax.set_title(title, fontsize=9)
    return ax
