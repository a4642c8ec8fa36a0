"""Wrong and alternative-correct implementations for solutions/06_lstm_gates.ipynb."""

STEM = "06_lstm_gates"

_DOC_STEP = '''
def lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One LSTM step (gate order i, f, g, o); returns (h_next, c_next), both (N, H)."""
'''

_DOC_COUNT = '''
def lstm_param_count(D, H):
    """Trainable parameters of one torch.nn.LSTM(D, H) layer: a Python int."""
'''


def _step(order="ifgo", bias="x @ W_ih.T + b_ih + h @ W_hh.T + b_hh", g_act="torch.tanh",
          c_next="f * c + i * g", h_next="o * torch.tanh(c_next)"):
    """A chunked lstm_step with one piece swapped for a mistake."""
    names = ", ".join(f"z{k}" for k in order)
    return _DOC_STEP + f"""
    z = {bias}
    {names} = z.chunk(4, dim=1)
    i, f, o = torch.sigmoid(zi), torch.sigmoid(zf), torch.sigmoid(zo)
    g = {g_act}(zg)
    c_next = {c_next}
    h_next = {h_next}
    return h_next, c_next
"""


WRONG = {
    "lstm_step": {
        # the gate order from some papers, not torch's
        "gate_order_ifog": _step(order="ifog"),
        "gate_order_figo": _step(order="figo"),
        "gate_order_gifo": _step(order="gifo"),
        "missing_b_hh": _step(bias="x @ W_ih.T + b_ih + h @ W_hh.T"),
        "missing_b_ih": _step(bias="x @ W_ih.T + h @ W_hh.T + b_hh"),
        "sigmoid_on_candidate": _step(g_act="torch.sigmoid"),
        "no_tanh_on_cell": _step(h_next="o * c_next"),
        "tanh_of_old_cell": _step(h_next="o * torch.tanh(c)"),
        "input_and_forget_roles_swapped": _step(c_next="i * c + f * g"),
        "forget_gate_on_h": _step(c_next="f * h + i * g"),
        # the old cell is dropped: c_next = i * g
        "no_old_cell_term": _step(c_next="i * g"),
        # correct values, but the result is cut off from autograd
        "detached": _DOC_STEP + """
    with torch.no_grad():
        z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
        zi, zf, zg, zo = z.chunk(4, dim=1)
        c_next = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.tanh(zg)
        h_next = torch.sigmoid(zo) * torch.tanh(c_next)
    return h_next, c_next
""",
        "returns_c_then_h": _DOC_STEP + """
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    zi, zf, zg, zo = z.chunk(4, dim=1)
    c_next = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.tanh(zg)
    return c_next, torch.sigmoid(zo) * torch.tanh(c_next)
""",
        # updates the caller's cell state in place
        "modifies_c_in_place": _DOC_STEP + """
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    zi, zf, zg, zo = z.chunk(4, dim=1)
    c.mul_(torch.sigmoid(zf)).add_(torch.sigmoid(zi) * torch.tanh(zg))
    return torch.sigmoid(zo) * torch.tanh(c), c
""",
    },
    "lstm_param_count": {
        "single_bias": _DOC_COUNT + """
    return 4 * (D * H + H * H + H)
""",
        "three_gates": _DOC_COUNT + """
    return 3 * (D * H + H * H + 2 * H)
""",
        "missing_hidden_matrix": _DOC_COUNT + """
    return 4 * (D * H + 2 * H)
""",
        "one_block_only": _DOC_COUNT + """
    return D * H + H * H + 2 * H
""",
        "five_blocks_counting_the_cell": _DOC_COUNT + """
    return 5 * (D * H + H * H + 2 * H)
""",
        "returns_float": _DOC_COUNT + """
    return 4.0 * (D * H + H * H + 2 * H)
""",
        "hidden_matrix_h_by_d": _DOC_COUNT + """
    return 4 * (2 * D * H + 2 * H)
""",
    },
    "quick_check": {
        "relu": '''
answer = "a"
''',
        "clipping": '''
answer = "d"
''',
    },
    "followup_1": {
        # chrono's largest bias log(T - 1) for T = 100, not the half-life condition
        "chrono_log_99": "followup_1 = float(np.log(99))\n",
        # the gate value instead of its bias
        "gate_not_bias": "followup_1 = 0.5 ** (1 / 100)\n",
        # f = 1 - 0.5 / 100 (a linear guess at the decay)
        "linear_decay": "followup_1 = float(np.log(0.995 / 0.005))\n",
        "a_string": 'followup_1 = "4.97"\n',
    },
    "followup_2": {
        "direct_path": 'followup_2 = "a"\n',
        "bounded": 'followup_2 = "c"\n',
    },
    "followup_3": {
        # the second layer counted with the input size D instead of H
        "layer2_reads_d": "followup_3 = 2 * (4 * (128 * 256 + 256 ** 2 + 2 * 256))\n",
        "one_layer": "followup_3 = 4 * (128 * 256 + 256 ** 2 + 2 * 256)\n",
        "single_bias": "followup_3 = 4 * (128 * 256 + 256 ** 2 + 256) + 4 * (256 * 256 + 256 ** 2 + 256)\n",
        "as_float": "followup_3 = 921600.0\n",
    },
}

CORRECT = {
    "lstm_step": {
        # one block at a time, slicing the weight rows of each gate
        "per_gate_slices": _DOC_STEP + """
    H = h.shape[1]

    def pre(k):
        rows = slice(k * H, (k + 1) * H)
        return x @ W_ih[rows].T + b_ih[rows] + h @ W_hh[rows].T + b_hh[rows]

    i = torch.sigmoid(pre(0))
    f = torch.sigmoid(pre(1))
    g = torch.tanh(pre(2))
    o = torch.sigmoid(pre(3))
    c_new = f * c + i * g
    return o * torch.tanh(c_new), c_new
""",
        # one product on the concatenation [x, h] with the stacked weights, via F.linear
        "concatenated_linear": _DOC_STEP + """
    import torch.nn.functional as F
    xh = torch.cat([x, h], dim=1)
    W = torch.cat([W_ih, W_hh], dim=1)
    z = F.linear(xh, W, b_ih + b_hh)
    gates = torch.sigmoid(z)
    H = h.shape[1]
    i, f, o = gates[:, :H], gates[:, H:2 * H], gates[:, 3 * H:]
    g = torch.tanh(z[:, 2 * H:3 * H])
    c_new = torch.addcmul(f * c, i, g)
    h_new = o * c_new.tanh()
    return (h_new, c_new)
""",
        # tanh written through the sigmoid, einsum products, torch.split
        "einsum_split": _DOC_STEP + """
    H = c.shape[-1]
    z = torch.einsum("nd,kd->nk", x, W_ih) + torch.einsum("nh,kh->nk", h, W_hh) + (b_ih + b_hh)
    zi, zf, zg, zo = torch.split(z, H, dim=-1)
    g = 2 * torch.sigmoid(2 * zg) - 1
    c_next = torch.sigmoid(zf) * c + torch.sigmoid(zi) * g
    return torch.sigmoid(zo) * (2 * torch.sigmoid(2 * c_next) - 1), c_next
""",
    },
    "lstm_param_count": {
        "shape_by_shape": _DOC_COUNT + """
    shapes = [(4 * H, D), (4 * H, H), (4 * H,), (4 * H,)]
    total = 0
    for s in shapes:
        n = 1
        for k in s:
            n *= k
        total += n
    return total
""",
        "from_a_module": _DOC_COUNT + """
    import torch
    return int(sum(p.numel() for p in torch.nn.LSTMCell(D, H).parameters()))
""",
        "expanded": _DOC_COUNT + """
    return 4 * D * H + 4 * H ** 2 + 8 * H
""",
    },
    "quick_check": {
        "with_spaces": '''
answer = " B "
''',
    },
    "followup_1": {
        "numpy_float": "f = 0.5 ** 0.01\nfollowup_1 = np.float64(np.log(f) - np.log1p(-f))\n",
        "two_decimals": "followup_1 = 4.97\n",
    },
    "followup_2": {"upper": 'followup_2 = "B"\n'},
    "followup_3": {
        "from_modules": "followup_3 = int(sum(p.numel() for p in torch.nn.LSTM(128, 256, num_layers=2).parameters()))\n",
        "with_the_graded_count": "followup_3 = lstm_param_count(128, 256) + lstm_param_count(256, 256)\n",
    },
}

# a wrong function whose failure must cost only its own test cell in the nbgrader round trip
ROUNDTRIP_WRONG = ("lstm_step", "gate_order_ifog")


def check_experiment(E):
    import matplotlib.figure

    # A: forget = 1, input = 0 keeps the cell exactly; random gates do not; h still moves
    assert E["keep_change"] < 1e-6, E
    assert E["free_change"] > 0.5, E
    assert E["h_change_kept"] > 0.05, E
    # B: only forget-open AND input-closed initialisations learn in 120 updates; the vanilla RNNs
    # (the same hidden size, and 24 units with more parameters than the LSTM) stay near chance
    acc = E["acc_by_init"]
    assert acc["LSTM, forget +5, input -5"] >= 0.9 and acc["LSTM, chrono (T_max = 100)"] >= 0.9, acc
    for name in ("LSTM, default init", "LSTM, forget +1"):
        assert acc[name] <= E["chance"] + 0.1, acc
    assert acc["LSTM, forget +5"] < 0.9, acc
    assert E["acc_lstm"] == acc["LSTM, forget +5, input -5"], E
    assert E["acc_rnn"] <= E["chance"] + 0.1 and E["acc_rnn24"] <= E["chance"] + 0.1, E
    assert E["params_rnn24"] > E["params_lstm"] > E["params_rnn"], E
    assert abs(E["acc_lstm_step"] - E["acc_lstm"]) <= 0.01, E
    # C: the gradient reaches step 0 through the cell, vanishes through the RNN's hidden state
    assert E["grad_ratio_lstm"] > 0.1, E
    assert E["grad_ratio_rnn"] < 1e-6, E
    assert E["grad_ratio_lstm"] / max(E["grad_ratio_rnn"], 1e-300) > 1e5, E
    # B2: the gates read out of the learner's step rebuild its c' and h'; f stays near 1, and the
    # input gate opens more on the token to remember (step 0) than on a distractor (step 50)
    assert E["probe_max_diff"] < 1e-9, E["probe_max_diff"]
    g0, g50 = E["gate_stats"][0], E["gate_stats"][50]
    assert g0["f"][0] > 0.9 and g50["f"][1] > 0.9, E["gate_stats"]
    assert g0["i"][2] > 2 * g50["i"][2], E["gate_stats"]
    figs = E["figures"]
    assert set(figs) == {"keep", "training", "gradients", "cells"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs.values())
