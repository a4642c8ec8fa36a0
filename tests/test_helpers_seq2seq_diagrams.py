"""The encoder-decoder drawing of notebook 09."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from helpers.seq2seq_diagrams import draw_encoder_decoder  # noqa: E402


def test_draws_every_box_and_label():
    fig = draw_encoder_decoder(src=("x", "y"), tgt=("y", "x", "z"))
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    # encoder: 2 inputs + 2 states; context; decoder: 4 inputs, states and outputs
    assert len(ax.patches) == 2 * 2 + 1 + 3 * 4
    for label in ("x", "y", "z", "<bos>", "<eos>", "$c$", "$h_{2}$", "$s_{4}$"):
        assert label in texts, label
    plt.close(fig)


def test_default_arguments():
    fig = draw_encoder_decoder()
    assert len(fig.axes[0].patches) == 3 * 2 + 1 + 3 * 4
    plt.close(fig)
