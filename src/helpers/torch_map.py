"""Copy weights between plain arrays (numpy convention ``x @ Wx``) and ``torch.nn`` modules.

numpy convention in this course: Wx (D, H), Wh (H, H), b (H,), so that h = tanh(x @ Wx + h @ Wh + b).
torch stores the transposes: weight_ih (H, D), weight_hh (H, H), and two biases.
"""
from __future__ import annotations

import numpy as np
import torch


def rnn_from_arrays(Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, dtype=torch.float64) -> torch.nn.RNN:
    """A one-layer tanh ``torch.nn.RNN`` (batch_first) computing tanh(x @ Wx + h @ Wh + b)."""
    D, H = Wx.shape
    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True).to(dtype)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.as_tensor(Wx.T.copy(), dtype=dtype))
        rnn.weight_hh_l0.copy_(torch.as_tensor(Wh.T.copy(), dtype=dtype))
        rnn.bias_ih_l0.copy_(torch.as_tensor(b, dtype=dtype))
        rnn.bias_hh_l0.zero_()
    return rnn


def arrays_from_rnn(rnn: torch.nn.RNN, layer: int = 0, suffix: str = ""):
    """(Wx (D, H), Wh (H, H), b (H,)) as float64 numpy arrays from a torch RNN layer."""
    g = lambda n: getattr(rnn, f"{n}_l{layer}{suffix}").detach().double().numpy()
    return g("weight_ih").T.copy(), g("weight_hh").T.copy(), g("bias_ih") + g("bias_hh")


def cell_weights(cell):
    """(W_ih, W_hh, b_ih, b_hh) of a torch RNNCell / LSTMCell / GRUCell, detached clones."""
    return tuple(getattr(cell, n).detach().clone() for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


def layer_weights(module, layer: int = 0, reverse: bool = False):
    """(W_ih, W_hh, b_ih, b_hh) of one layer (and direction) of torch RNN / LSTM / GRU."""
    sfx = f"_l{layer}" + ("_reverse" if reverse else "")
    return tuple(getattr(module, n + sfx).detach().clone()
                 for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


def load_cell(cell, W_ih, W_hh, b_ih, b_hh):
    """Copy the four tensors into a torch cell (RNNCell, LSTMCell, GRUCell) in place."""
    with torch.no_grad():
        for n, v in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (W_ih, W_hh, b_ih, b_hh)):
            getattr(cell, n).copy_(torch.as_tensor(v))
    return cell


def module_parameter_count(module) -> int:
    """Number of trainable scalars in a torch module."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
