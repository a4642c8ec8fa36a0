"""Schematic drawings of recurrent architectures (boxes and arrows, no computation).

Used by the Learn sections of notebooks 08 (bidirectional) and 12 (input/output shapes).
Inputs are drawn at the bottom, hidden states in the middle, outputs on top.
"""
from __future__ import annotations

_COLOURS = {"x": "#ef9a9a", "h": "#a5d6a7", "g": "#80cbc4", "y": "#90caf9"}


def _box(ax, x, y, label, kind, w=0.62, h=0.5):
    from matplotlib.patches import FancyBboxPatch
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02",
                                fc=_COLOURS.get(kind, "#eeeeee"), ec="#333333", lw=1.0, zorder=3))
    ax.text(x, y, label, ha="center", va="center", fontsize=9, zorder=4)


def _arrow(ax, a, b, colour="#555555", w=0.62, h=0.5):
    """Arrow between the edges of the boxes centred at a and b (horizontal or vertical)."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    if abs(dx) >= abs(dy):
        s = 1 if dx > 0 else -1
        start, end = (x0 + s * w / 2, y0), (x1 - s * w / 2, y1)
    else:
        s = 1 if dy > 0 else -1
        start, end = (x0, y0 + s * h / 2), (x1, y1 - s * h / 2)
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops=dict(arrowstyle="-|>", lw=1.2, color=colour, shrinkA=0, shrinkB=0,
                                mutation_scale=10))


def _panel(ax, title, xs, ys, steps, enc_steps=None):
    """One architecture: xs / ys are the time steps that have an input / an output."""
    for t in range(steps):
        kind = "h"
        _box(ax, t, 1, f"$h_{{{t + 1}}}$", kind)
        if t:
            _arrow(ax, (t - 1, 1), (t, 1))
    for t in xs:
        _box(ax, t, 0, f"$x_{{{t + 1}}}$", "x")
        _arrow(ax, (t, 0), (t, 1))
    for i, t in enumerate(ys):
        _box(ax, t, 2, f"$y_{{{i + 1}}}$", "y")
        _arrow(ax, (t, 1), (t, 2))
    if enc_steps:
        ax.axvline(enc_steps - 0.5, color="#999999", ls=":", lw=1)
    ax.set_title(title, fontsize=10)
    ax.set_xlim(-0.6, steps - 0.4)
    ax.set_ylim(-0.5, 2.6)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_io_shapes(figsize=(13, 3.0)):
    """Four panels: one-to-many, many-to-one, many-to-many (aligned), many-to-many (seq2seq)."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 4, figsize=figsize, gridspec_kw={"width_ratios": [4, 4, 4, 6]})
    _panel(axes[0], "one-to-many\n(image captioning)", xs=[0], ys=[0, 1, 2, 3], steps=4)
    _panel(axes[1], "many-to-one\n(sentiment)", xs=[0, 1, 2, 3], ys=[3], steps=4)
    _panel(axes[2], "many-to-many, aligned\n(POS tagging)", xs=[0, 1, 2, 3], ys=[0, 1, 2, 3], steps=4)
    _panel(axes[3], "many-to-many, seq2seq\n(translation)", xs=[0, 1, 2], ys=[3, 4, 5], steps=6,
           enc_steps=3)
    fig.tight_layout()
    return fig


def draw_bidirectional(T: int = 4, figsize=(7.5, 3.2)):
    """A bidirectional RNN: at every step the forward state (reads left to right) and the
    backward state (reads right to left) are stacked into one column, the concatenation
    [fw_t; bw_t] that the output y_t reads. Every x_t feeds both directions."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=figsize)
    hb = 0.42                                   # height of one state box
    yf, yb, yy = 1.0, 1.0 + hb, 2.35            # forward row, backward row (stacked), outputs
    for t in range(T):
        _box(ax, t, 0, f"$x_{{{t + 1}}}$", "x")
        _box(ax, t, yf, rf"$\overrightarrow{{h}}_{{{t + 1}}}$", "h", h=hb)
        _box(ax, t, yb, rf"$\overleftarrow{{h}}_{{{t + 1}}}$", "g", h=hb)
        _box(ax, t, yy, f"$y_{{{t + 1}}}$", "y")
        _arrow(ax, (t, 0.25), (t, yf - hb / 2), h=0)
        _arrow(ax, (t, yb + hb / 2), (t, yy - 0.25), h=0)
        if t:
            _arrow(ax, (t - 1, yf), (t, yf), colour="#2e7d32")
            _arrow(ax, (t, yb), (t - 1, yb), colour="#00796b")
    ax.text(T - 0.5, yf, "  forward: reads $x_1 \\to x_T$", va="center", fontsize=9, color="#2e7d32")
    ax.text(T - 0.5, yb, "  backward: reads $x_T \\to x_1$", va="center", fontsize=9, color="#00796b")
    ax.text(T - 0.5, yy, r"  $y_t$ reads $[\overrightarrow{h}_t;\ \overleftarrow{h}_t]$", va="center",
            fontsize=9)
    ax.text(T - 0.5, 0, "  each $x_t$ feeds both directions", va="center", fontsize=9)
    ax.set_xlim(-0.6, T + 2.6)
    ax.set_ylim(-0.4, 2.75)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Bidirectional RNN: every output sees the whole sequence", fontsize=10)
    fig.tight_layout()
    return fig
