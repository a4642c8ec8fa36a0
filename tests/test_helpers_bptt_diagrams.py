"""helpers.bptt_diagrams.draw_bptt: the unrolled graph with its backward arrows and the W_h sum."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers.bptt_diagrams import draw_bptt  # noqa: E402


def _edges(T):
    out = []
    for t in range(1, T + 1):
        out += [(f"x{t}", f"h{t}"), (f"h{t - 1}", f"h{t}"), (f"h{t}", f"y{t}"), (f"y{t}", "L")]
    return out


@pytest.mark.parametrize("T", [1, 3, 4])
def test_one_backward_arrow_per_edge_and_one_contribution_per_step(T):
    ax = draw_bptt(_edges(T))
    arrows = [c for c in ax.texts if type(c).__name__ == "Annotation"]
    # draw_unrolled: one arrow per edge; here one backward arrow per edge and one per recurrent step
    assert len(arrows) == 4 * T + 4 * T + T
    assert ax.bptt_backward_arrows == 4 * T
    assert ax.bptt_recurrent_edges == [(f"h{t - 1}", f"h{t}") for t in range(1, T + 1)]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert r"\sum_{t=1}^{T}" in texts and "W_h" in texts
    plt.close(ax.figure)


def test_contributions_label_the_steps_in_time_order():
    edges = list(reversed(_edges(3)))                 # any order of the learner's list
    ax = draw_bptt(edges, contributions=[0.5, 0.25, 0.125])
    labels = [t.get_text() for t in ax.texts if t.get_text().startswith("$t=")]
    assert labels == ["$t=1$: 0.5", "$t=2$: 0.25", "$t=3$: 0.12"]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="3 recurrent arrows"):
        draw_bptt(edges, contributions=[1.0])
    plt.close("all")
