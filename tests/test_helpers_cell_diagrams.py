"""The LSTM and GRU cell drawings of notebooks 06 and 07: they render the numbers given, and
reject bad input with a one-line ValueError."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers.cell_diagrams import draw_gru_cell, draw_lstm_cell  # noqa: E402

LSTM = {"i": 0.125, "f": 0.975, "g": -0.25, "o": 0.5}
GRU = {"r": 0.25, "z": 0.875, "n": -0.5}


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_lstm_renders_with_the_given_values():
    fig = draw_lstm_cell({**LSTM, "c_prev": 1.5, "c": 1.25, "h_prev": 0.0, "h": -0.375}, title="step 3")
    assert isinstance(fig, matplotlib.figure.Figure)
    texts = _texts(fig)
    for label in ("i = 0.125", "f = 0.975", "g = -0.250", "o = 0.500",
                  "$c_{t-1}$ = 1.500", "$c_t$ = 1.250", "$h_{t-1}$ = 0.000", "$h_t$ = -0.375"):
        assert label in texts, (label, texts)
    assert fig.axes[0].get_title() == "step 3"
    # four gate boxes, five point-wise circles, the frame
    names = [type(p).__name__ for p in fig.axes[0].patches]
    assert names.count("Circle") == 5 and names.count("FancyBboxPatch") == 5, names
    fig.canvas.draw()                                     # really renders
    plt.close(fig)


def test_gru_renders_with_the_given_values():
    fig = draw_gru_cell({**GRU, "h_prev": 0.5, "h": 0.375})
    texts = _texts(fig)
    for label in ("r = 0.250", "z = 0.875", "n = -0.500", "$h_{t-1}$ = 0.500", "$h_t$ = 0.375"):
        assert label in texts, (label, texts)
    names = [type(p).__name__ for p in fig.axes[0].patches]
    assert names.count("Circle") == 5 and names.count("FancyBboxPatch") == 4, names
    fig.canvas.draw()
    plt.close(fig)


def test_vectors_tensors_and_given_axes():
    """Several units (numpy, torch, lists) are summarised as mean and range; ax= draws in place."""
    fig, ax = plt.subplots()
    out = draw_lstm_cell({"i": torch.tensor([0.1, 0.3]), "f": np.array([0.9, 1.0]), "g": [-1.0, 0.5],
                          "o": torch.tensor([0.2, 0.4], requires_grad=True)}, ax=ax)
    assert out is fig
    texts = _texts(fig)
    assert "i: mean 0.20\n[0.10, 0.30]" in texts, texts
    assert "g: mean -0.25\n[-1.00, 0.50]" in texts, texts
    plt.close(fig)
    fig = draw_gru_cell({"r": [0.0, 1.0], "z": [0.5, 0.5], "n": [0.0, 0.2]})
    assert "n: mean 0.10\n[0.00, 0.20]" in _texts(fig)
    plt.close(fig)


@pytest.mark.parametrize("values,match", [
    ({"i": 0.1, "g": 0.2, "o": 0.3}, "missing 'f'"),
    ({**LSTM, "f": 3.2}, r"outside \[0, 1\]: pass the activations after a sigmoid"),
    ({**LSTM, "g": -1.7}, r"outside \[-1, 1\]: pass the activations after a tanh"),
    ({**LSTM, "f": np.ones((2, 3)) * 0.5}, r"ONE example's values.*got shape \(2, 3\)"),
    ({**LSTM, "o": float("nan")}, "NaN or inf"),
    ({**LSTM, "i": "open"}, "must be a number or a 1-D array"),
    ({**LSTM, "x": 1.0}, "unknown keys"),
    ({"i": [0.1, 0.2], "f": [0.9, 0.9], "g": [0.0, 0.0], "o": [0.5]}, "same number of units"),
    ([0.1, 0.9, 0.0, 0.5], "pass a dict"),
])
def test_lstm_bad_input_is_one_clear_error(values, match):
    with pytest.raises(ValueError, match=match) as err:
        draw_lstm_cell(values)
    assert "\n" not in str(err.value) and str(err.value).startswith("draw_lstm_cell:")


@pytest.mark.parametrize("values,match", [
    ({"r": 0.5, "n": 0.1}, "missing 'z'"),
    ({**GRU, "z": -0.2}, r"outside \[0, 1\]"),
    ({**GRU, "n": 2.0}, r"outside \[-1, 1\]"),
    ({**GRU, "c": 1.0}, "unknown keys"),
])
def test_gru_bad_input_is_one_clear_error(values, match):
    with pytest.raises(ValueError, match=match) as err:
        draw_gru_cell(values)
    assert "\n" not in str(err.value) and str(err.value).startswith("draw_gru_cell:")


def test_the_helper_computes_no_gate():
    """Infrastructure only: the module defines no step function and draws what it is given."""
    import helpers.cell_diagrams as cd
    names = {n.lower() for n in dir(cd)}
    assert not {"lstm_step", "gru_step", "lstm_param_count", "gru_param_count"} & names
    src = open(cd.__file__).read()
    assert "sigmoid(" not in src and "np.tanh" not in src and "torch.tanh" not in src
