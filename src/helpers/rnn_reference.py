"""A reference forward pass of the vanilla tanh RNN, in numpy, for the backward-pass notebook.

Infrastructure for notebook 03 (BPTT): learners implement the *backward* pass there and need
the caches a forward pass leaves behind. The forward pass itself is graded in notebook 02,
where learners write their own ``rnn_step_forward`` / ``rnn_forward`` independently; this module
exists so that no code has to be copied from one notebook into another.

Conventions (as in cs231n ``rnn_layers.py``), batch-first:

    x: (N, T, D)   h0: (N, H)   Wx: (D, H)   Wh: (H, H)   b: (H,)
    h_t = tanh(x_t @ Wx + h_{t-1} @ Wh + b)

Cache layout
------------
One step caches the tuple ``(x, h_prev, Wx, Wh, next_h)``:

    x       (N, D)  the input of this step
    h_prev  (N, H)  the state the step started from
    Wx      (D, H)  the input-to-hidden weights (the same object at every step)
    Wh      (H, H)  the hidden-to-hidden weights (the same object at every step)
    next_h  (N, H)  the state the step produced, tanh of the pre-activation

The bias is not cached: its gradient needs no stored value. The tanh derivative is recovered
from the output, 1 - next_h ** 2, so the pre-activation is not stored either.

A sequence caches a list of T step caches, ``cache[t]`` for time step t = 0 .. T-1, in forward
order. ``cache[t][1]`` is the very object ``cache[t-1][4]`` (the state is stored once).
"""
from __future__ import annotations

import numpy as np

__all__ = ["rnn_step_forward", "rnn_forward"]


def rnn_step_forward(x: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                     b: np.ndarray):
    """One step of the vanilla RNN: next_h = tanh(x @ Wx + h_prev @ Wh + b).

    x: (N, D), h_prev: (N, H), Wx: (D, H), Wh: (H, H), b: (H,).
    Returns ``(next_h, cache)`` with next_h: (N, H) and
    ``cache = (x, h_prev, Wx, Wh, next_h)`` (see the module docstring).
    """
    next_h = np.tanh(x @ Wx + h_prev @ Wh + b)
    return next_h, (x, h_prev, Wx, Wh, next_h)


def rnn_forward(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray):
    """Run the RNN over a whole sequence.

    x: (N, T, D), h0: (N, H), Wx: (D, H), Wh: (H, H), b: (H,).
    Returns ``(h_all, cache)``: h_all (N, T, H) holds h_1 .. h_T (h_all[:, t] is the state after
    reading x[:, t]; h0 is not included), and ``cache`` is a list of T step caches,
    ``cache[t] = (x[:, t], h_{t}, Wx, Wh, h_{t+1})`` in the notation h_all[:, t] = h_{t+1}.
    The dtype of h_all follows numpy's promotion of the inputs.
    """
    N, T, _ = x.shape
    H = Wh.shape[0]
    h_all = np.empty((N, T, H), dtype=np.result_type(x, h0, Wx, Wh, b))
    cache = []
    h = h0
    for t in range(T):
        h, step_cache = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        h_all[:, t] = h
        cache.append(step_cache)
    return h_all, cache
