"""Schematic drawing of how information travels in an RNN and in causal self-attention.

Used by the Learn section of notebook 13 (Transformers vs RNNs). Positions run left to right.
The top panel is a recurrent layer: each state reads the previous one, so the first and the last
position are linked through a chain of T - 1 steps. The bottom panel is one causal
self-attention layer: every position reads every earlier position (and itself) directly. The
route from the first to the last position is highlighted in both. Drawing only, no computation.
"""
from __future__ import annotations

HIGHLIGHT = "#d62728"
PLAIN = "#999999"


def _node(ax, t, y, label):
    ax.scatter([t], [y], s=420, color="white", edgecolors="#1f77b4", linewidths=1.5, zorder=3)
    ax.text(t, y, label, ha="center", va="center", fontsize=8, zorder=4)


def draw_rnn_vs_attention(T: int = 6, axes=None):
    """Draw an RNN chain (top) and a causal attention layer (bottom) over T positions.

    axes: optional pair of matplotlib axes. Returns the pair (ax_rnn, ax_attention).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch
    T = int(T)
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(0.95 * T + 1.5, 3.8))
    ax_rnn, ax_att = axes
    # recurrent chain: x_t -> h_t, h_(t-1) -> h_t
    for t in range(T):
        ax_rnn.annotate("", xy=(t, 0.8), xytext=(t, 0.2),
                        arrowprops=dict(arrowstyle="->", color=PLAIN, lw=1))
        if t > 0:
            ax_rnn.annotate("", xy=(t - 0.22, 1.0), xytext=(t - 0.78, 1.0),
                            arrowprops=dict(arrowstyle="->", color=HIGHLIGHT, lw=2))
        _node(ax_rnn, t, 0.0, f"$x_{{{t + 1}}}$")
        _node(ax_rnn, t, 1.0, f"$h_{{{t + 1}}}$")
    ax_rnn.set_title(f"RNN: {T} steps in order; $x_1$ reaches $h_{{{T}}}$ after {T - 1} recurrent steps",
                     fontsize=9)
    # causal attention: output i reads inputs j <= i
    for i in range(T):
        for j in range(i + 1):
            on = (j == 0 and i == T - 1)
            rad = 0.0 if i == j else -0.15
            ax_att.add_patch(FancyArrowPatch((j, 0.2), (i, 0.8), arrowstyle="->", mutation_scale=9,
                                             connectionstyle=f"arc3,rad={rad}",
                                             color=HIGHLIGHT if on else "#cccccc",
                                             lw=2 if on else 0.8, zorder=2 if on else 1))
    for t in range(T):
        _node(ax_att, t, 0.0, f"$x_{{{t + 1}}}$")
        _node(ax_att, t, 1.0, f"$y_{{{t + 1}}}$")
    ax_att.set_title(f"Causal self-attention: all {T} outputs at once; $x_1$ reaches $y_{{{T}}}$ in one step",
                     fontsize=9)
    for ax in (ax_rnn, ax_att):
        ax.set_xlim(-0.6, T - 0.4)
        ax.set_ylim(-0.45, 1.45)
        ax.axis("off")
    ax_rnn.figure.tight_layout()
    return ax_rnn, ax_att
