"""The unrolled RNN with its backward pass drawn on top (notebook 03's whiteboard exercise).

``draw_bptt(edges)`` takes the forward graph as a list of (source, target) node names, the
learner's ``unrolled_edges(T)``, and draws it with ``helpers.plotting.draw_unrolled``; then, for
every forward arrow, a dashed backward arrow (the gradient flowing the other way), and, from every
recurrent arrow h(t-1) -> h(t), a contribution to one box that sums the gradient of the shared
recurrent weights over time, dL/dW_h = sum_t h_{t-1}^T g_t. Nothing is computed here: optional
``contributions`` (numbers, one per recurrent arrow in time order) only label the arrows.
"""
from __future__ import annotations

from helpers.plotting import draw_unrolled, node_position

__all__ = ["draw_bptt"]

_BACK = "#c62828"
_SUM = "#6a1b9a"


def _positions(edges):
    """The node layout of helpers.plotting.draw_unrolled (nodes without an index are centred)."""
    nodes = sorted({n for e in edges for n in e})
    cols = [node_position(n)[0] for n in nodes if node_position(n)[0] is not None]
    centre = (min(cols) + max(cols)) / 2 if cols else 0.0
    pos = {}
    for n in nodes:
        col, row = node_position(n)
        pos[n] = (centre if col is None else col, row)
    return pos, centre


def draw_bptt(edges, contributions=None, ax=None, title: str = "BPTT: the backward pass on the unrolled graph"):
    """Draw the forward graph, a backward arrow per forward arrow, and the sum over time of dL/dW_h.

    edges: list of (source, target) node names such as ('h0', 'h1'), ('x1', 'h1'), ('h1', 'y1'),
        ('y1', 'L'), as returned by unrolled_edges(T).
    contributions: optional numbers, one per recurrent arrow h(t-1) -> h(t) in time order (for
        example the norm of each step's h_{t-1}^T g_t); they label the arrows into the sum.
    Returns the matplotlib Axes. The Axes gets the attributes ``bptt_backward_arrows`` (the number
    of backward arrows drawn) and ``bptt_recurrent_edges`` (the recurrent arrows, in time order).
    """
    edges = [(str(a), str(b)) for a, b in edges]
    ax = draw_unrolled(edges, ax=ax, title=title)
    pos, centre = _positions(edges)

    # one backward arrow per forward arrow, drawn beside it (offset perpendicular to the arrow)
    for a, b in edges:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        dx, dy = x1 - x0, y1 - y0
        norm = max((dx * dx + dy * dy) ** 0.5, 1e-9)
        ox, oy = -dy / norm * 0.12, dx / norm * 0.12
        ax.annotate("", xy=(x0 + ox, y0 + oy), xytext=(x1 + ox, y1 + oy),
                    arrowprops=dict(arrowstyle="->", lw=1.0, color=_BACK, ls="--",
                                    shrinkA=15, shrinkB=15))

    # the recurrent arrows, in time order, each sending h_{t-1}^T g_t to the shared sum
    def _step(e):
        col = node_position(e[1])[0]
        return col if col is not None else 0.0

    recurrent = sorted((e for e in edges if node_position(e[0])[1] == 1 and node_position(e[1])[1] == 1),
                       key=_step)
    if contributions is not None and len(contributions) != len(recurrent):
        raise ValueError(f"contributions: {len(contributions)} numbers for {len(recurrent)} recurrent arrows")
    top = max((y for _, y in pos.values()), default=3) + 1.3
    box = (centre, top)
    for i, (a, b) in enumerate(recurrent):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        mid = ((x0 + x1) / 2, (y0 + y1) / 2 + 0.15)
        ax.annotate("", xy=(box[0], box[1] - 0.25), xytext=mid,
                    arrowprops=dict(arrowstyle="->", lw=0.9, color=_SUM, alpha=0.7,
                                    connectionstyle="arc3,rad=0.08", shrinkA=2, shrinkB=4))
        t = int(_step((a, b)))
        label = f"$t={t}$" if contributions is None else f"$t={t}$: {float(contributions[i]):.2g}"
        ax.text(mid[0], mid[1] + 0.12, label, ha="center", va="bottom", fontsize=7, color=_SUM)
    if recurrent:
        ax.text(box[0], box[1],
                r"$\partial L / \partial W_h = \sum_{t=1}^{T} h_{t-1}^{\top} g_t$"
                "\n(one shared $W_h$: its gradient adds up over the steps)",
                ha="center", va="center", fontsize=9, color=_SUM,
                bbox=dict(boxstyle="round,pad=0.3", fc="#f3e5f5", ec=_SUM))
    ax.plot([], [], color="#555", lw=1.2, label="forward")
    ax.plot([], [], color=_BACK, lw=1.0, ls="--", label="backward (gradients)")
    ax.plot([], [], color=_SUM, lw=0.9, label=r"contribution to $\partial L / \partial W_h$")
    ax.legend(loc="lower left", fontsize=7, frameon=False)
    ax.set_ylim(-0.6, top + 0.6)
    ax.bptt_backward_arrows = len(edges)
    ax.bptt_recurrent_edges = recurrent
    return ax
