import matplotlib

matplotlib.use("Agg")

from helpers.conv_diagrams import draw_causal_stack  # noqa: E402


def _blue_steps(ax, row):
    """Time steps of the highlighted dots in one row (0 = input)."""
    from matplotlib.collections import PathCollection
    steps = []
    for c in ax.collections:
        if not isinstance(c, PathCollection):
            continue
        for (t, r), colour in zip(c.get_offsets(), c.get_facecolor()):
            if r == row and tuple(round(v, 3) for v in colour[:3]) == (0.122, 0.467, 0.706):
                steps.append(int(t))
    return sorted(steps)


def _highlighted_segments(ax):
    from matplotlib.collections import LineCollection
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    blue = [c for c in lines if tuple(round(v, 3) for v in c.get_color()[0][:3]) == (0.122, 0.467, 0.706)]
    return sorted(tuple(map(tuple, seg.tolist())) for c in blue for seg in c.get_segments())


def test_draw_causal_stack_highlights_the_receptive_field():
    import matplotlib.pyplot as plt
    ax = draw_causal_stack(2, [1, 2, 4], T=12)
    # one scatter per row (4 rows of 12 dots) and two line collections
    dots = [c for c in ax.collections if len(c.get_offsets()) == 12]
    assert len(dots) == 4
    assert _blue_steps(ax, 0) == list(range(4, 12))          # 1 + 1 + 2 + 4 = 8 input steps
    assert _blue_steps(ax, 3) == [11]
    # the top layer (d=4) connects 11 to 11 and 7; the highlighted tree has 2 + 4 + 8 edges
    segs = _highlighted_segments(ax)
    assert ((7.0, 2.0), (11.0, 3.0)) in segs and ((11.0, 2.0), (11.0, 3.0)) in segs
    assert len(segs) == 14
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "input"
    plt.close(ax.figure)


def test_draw_causal_stack_without_dilation_accepts_an_axes():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    out = draw_causal_stack(3, (1, 1), T=6, ax=ax, title="plain")
    assert out is ax and ax.get_title() == "plain"
    assert _blue_steps(ax, 0) == [1, 2, 3, 4, 5]
    plt.close(fig)
