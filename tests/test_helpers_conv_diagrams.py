import matplotlib

matplotlib.use("Agg")

from helpers.conv_diagrams import draw_causal_stack  # noqa: E402


def _blue_steps(ax, row):
    """Time steps of the highlighted dots in one row (0 = input)."""
    steps = []
    for c in ax.collections:
        (t, r), = c.get_offsets()
        if r == row and tuple(round(v, 3) for v in c.get_facecolor()[0][:3]) == (0.122, 0.467, 0.706):
            steps.append(int(t))
    return sorted(steps)


def test_draw_causal_stack_highlights_the_receptive_field():
    import matplotlib.pyplot as plt
    ax = draw_causal_stack(2, [1, 2, 4], T=12)
    assert len(ax.collections) == 4 * 12
    assert _blue_steps(ax, 0) == list(range(4, 12))          # 1 + 1 + 2 + 4 = 8 input steps
    assert _blue_steps(ax, 3) == [11]
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "input"
    plt.close(ax.figure)


def test_draw_causal_stack_without_dilation_accepts_an_axes():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    out = draw_causal_stack(3, (1, 1), T=6, ax=ax, title="plain")
    assert out is ax and ax.get_title() == "plain"
    assert _blue_steps(ax, 0) == [1, 2, 3, 4, 5]
    plt.close(fig)
