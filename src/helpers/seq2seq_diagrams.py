"""Schematic drawing of a recurrent encoder-decoder (boxes and arrows, no computation).

Used by the Learn section of notebook 09 (seq2seq). Encoder on the left, the context vector
in the middle, the decoder on the right with its outputs fed back as its next inputs.
"""
from __future__ import annotations

from .seq_diagrams import _arrow, _box


def draw_encoder_decoder(src=("A", "B", "C"), tgt=("C", "B", "A"), bos="<bos>", eos="<eos>",
                         figsize=(11, 3.6)):
    """Draw an encoder reading ``src`` and a decoder emitting ``tgt`` then ``eos``.

    The decoder reads ``bos`` first, then each token it has just produced (dashed arrows).
    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    S, T = len(src), len(tgt) + 1
    outs = [*tgt, eos]
    ins = [bos, *tgt]
    fig, ax = plt.subplots(figsize=figsize)
    for t in range(S):                                    # encoder column t
        _box(ax, t, 1, f"$h_{{{t + 1}}}$", "h")
        _box(ax, t, 0, src[t], "x")
        _arrow(ax, (t, 0), (t, 1))
        if t:
            _arrow(ax, (t - 1, 1), (t, 1))
    c = S + 0.5                                           # the context vector c = h_S
    _box(ax, c, 1, "$c$", "g")
    _arrow(ax, (S - 1, 1), (c, 1), colour="#ef6c00")
    x0 = S + 2
    for t in range(T):                                    # decoder column t
        x = x0 + t
        _box(ax, x, 1, f"$s_{{{t + 1}}}$", "h")
        _box(ax, x, 0, ins[t], "x")
        _box(ax, x, 2, outs[t], "y")
        _arrow(ax, (x, 0), (x, 1))
        _arrow(ax, (x, 1), (x, 2))
        _arrow(ax, (x - 1, 1) if t else (c, 1), (x, 1), colour="#ef6c00" if not t else "#555555")
        if t + 1 < T:                                     # the output becomes the next input
            ax.annotate("", xy=(x + 1 - 0.3, 0.25), xytext=(x + 0.3, 1.75), zorder=1,
                        arrowprops=dict(arrowstyle="-|>", lw=1.0, ls="--", color="#999999"))
    ax.text((S - 1) / 2, 2.45, "encoder (reads the source)", ha="center", fontsize=10)
    ax.text(x0 + (T - 1) / 2, 2.65, "decoder (writes the output, one token per step)",
            ha="center", fontsize=10)
    ax.text(c, 1.45, "context\nvector", ha="center", va="bottom", fontsize=8, color="#ef6c00")
    ax.set_xlim(-0.6, x0 + T - 0.4)
    ax.set_ylim(-0.5, 2.9)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig
