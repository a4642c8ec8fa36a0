import matplotlib

matplotlib.use("Agg")

from helpers.attention_diagrams import HIGHLIGHT, draw_rnn_vs_attention  # noqa: E402


def _highlighted(ax):
    """Number of highlighted arrows (annotations and patches) in an axes."""
    from matplotlib.colors import to_hex
    n = sum(1 for a in ax.texts if getattr(a, "arrow_patch", None) is not None
            and to_hex(a.arrow_patch.get_edgecolor()) == HIGHLIGHT)
    n += sum(1 for p in ax.patches if to_hex(p.get_edgecolor()) == HIGHLIGHT)
    return n


def test_rnn_chain_and_attention_arrows():
    import matplotlib.pyplot as plt
    ax_rnn, ax_att = draw_rnn_vs_attention(T=5)
    assert len(ax_att.patches) == 5 * 6 // 2              # output i reads inputs 0..i
    assert _highlighted(ax_rnn) == 4                      # the chain h1 -> h5 has T - 1 links
    assert _highlighted(ax_att) == 1                      # one direct arrow x1 -> y5
    assert len(ax_rnn.collections) == 2 * 5
    plt.close(ax_rnn.figure)


def test_accepts_axes():
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 1)
    out = draw_rnn_vs_attention(3, axes=axes)
    assert out[0] is axes[0] and out[1] is axes[1]
    assert "2 recurrent steps" in axes[0].get_title()
    plt.close(fig)
