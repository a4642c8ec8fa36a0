"""helpers.rnn_reference (the forward pass notebook 03 backpropagates through) matches torch.nn.RNN."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.rnn_reference import rnn_forward, rnn_step_forward
from helpers.torch_map import rnn_from_arrays


def _params(rng, D, H, dtype=np.float64):
    Wx = rng.standard_normal((D, H)) * 0.5
    Wh = rng.standard_normal((H, H)) * 0.5
    b = rng.standard_normal(H) * 0.1
    return Wx.astype(dtype), Wh.astype(dtype), b.astype(dtype)


@pytest.mark.parametrize("N,T,D,H", [(1, 1, 3, 5), (2, 4, 3, 5), (4, 7, 6, 2), (3, 5, 4, 4)])
def test_rnn_forward_matches_torch(N, T, D, H):
    rng = np.random.default_rng(N * 100 + T * 10 + D + H)
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, H))
    Wx, Wh, b = _params(rng, D, H)
    h_all, cache = rnn_forward(x, h0, Wx, Wh, b)

    rnn = rnn_from_arrays(Wx, Wh, b)
    with torch.no_grad():
        out, h_last = rnn(torch.from_numpy(x), torch.from_numpy(h0)[None])
    assert h_all.shape == (N, T, H)
    np.testing.assert_allclose(h_all, out.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h_all[:, -1], h_last[0].numpy(), rtol=1e-12, atol=1e-12)


def test_step_forward_matches_torch_cell():
    rng = np.random.default_rng(1)
    N, D, H = 3, 4, 6
    x, h = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    Wx, Wh, b = _params(rng, D, H)
    next_h, cache = rnn_step_forward(x, h, Wx, Wh, b)
    cell = torch.nn.RNNCell(D, H).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(Wx.T.copy()))
        cell.weight_hh.copy_(torch.from_numpy(Wh.T.copy()))
        cell.bias_ih.copy_(torch.from_numpy(b))
        cell.bias_hh.zero_()
        want = cell(torch.from_numpy(x), torch.from_numpy(h)).numpy()
    np.testing.assert_allclose(next_h, want, rtol=1e-12, atol=1e-12)
    assert len(cache) == 5
    assert cache[0] is x and cache[1] is h and cache[2] is Wx and cache[3] is Wh and cache[4] is next_h


def test_cache_layout():
    rng = np.random.default_rng(2)
    N, T, D, H = 2, 5, 3, 4
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = _params(rng, D, H)
    h_all, cache = rnn_forward(x, h0, Wx, Wh, b)
    assert isinstance(cache, list) and len(cache) == T
    assert cache[0][1] is h0
    for t, (xt, h_prev, cWx, cWh, next_h) in enumerate(cache):
        np.testing.assert_array_equal(xt, x[:, t])
        assert cWx is Wx and cWh is Wh
        np.testing.assert_array_equal(next_h, h_all[:, t])
        if t:
            assert h_prev is cache[t - 1][4]


def test_dtype_follows_inputs():
    rng = np.random.default_rng(3)
    Wx, Wh, b = _params(rng, 3, 4, np.float32)
    x = rng.standard_normal((2, 3, 3)).astype(np.float32)
    h0 = np.zeros((2, 4), np.float32)
    h_all, _ = rnn_forward(x, h0, Wx, Wh, b)
    assert h_all.dtype == np.float32
    h64, _ = rnn_forward(x.astype(np.float64), h0, Wx, Wh, b)
    assert h64.dtype == np.float64
    np.testing.assert_allclose(h_all, h64, atol=1e-6)
