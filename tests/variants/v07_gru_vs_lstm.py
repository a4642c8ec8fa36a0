"""Wrong and alternative-correct implementations for solutions/07_gru_vs_lstm.ipynb."""

STEM = "07_gru_vs_lstm"

_DOC_STEP = '''
def gru_step(x, h, W_ih, W_hh, b_ih, b_hh):
    """One GRU step as torch.nn.GRUCell: x (N, D), h (N, H), weights in order r, z, n; returns (N, H)."""
'''

_DOC_COUNT = '''
def gru_param_count(D, H):
    """Trainable scalars of one torch.nn.GRU layer; returns an int."""
'''

WRONG = {
    "gru_step": {
        # the original paper's form: reset applied to h before the hidden matrix
        "reset_before_matrix": _DOC_STEP + """
    H = h.shape[1]
    gi = x @ W_ih.T + b_ih
    r = torch.sigmoid(gi[:, :H] + h @ W_hh[:H].T + b_hh[:H])
    z = torch.sigmoid(gi[:, H:2 * H] + h @ W_hh[H:2 * H].T + b_hh[H:2 * H])
    n = torch.tanh(gi[:, 2 * H:] + (r * h) @ W_hh[2 * H:].T + b_hh[2 * H:])
    return (1 - z) * n + z * h
""",
        "update_roles_swapped": _DOC_STEP + """
    gi = x @ W_ih.T + b_ih
    gh = h @ W_hh.T + b_hh
    i_r, i_z, i_n = gi.chunk(3, dim=1)
    h_r, h_z, h_n = gh.chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return z * n + (1 - z) * h
""",
        "gate_order_zrn": _DOC_STEP + """
    gi = x @ W_ih.T + b_ih
    gh = h @ W_hh.T + b_hh
    i_z, i_r, i_n = gi.chunk(3, dim=1)
    h_z, h_r, h_n = gh.chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h
""",
        # b_hh used for r and z, but forgotten in the candidate
        "missing_b_hn": _DOC_STEP + """
    H = h.shape[1]
    gi = x @ W_ih.T + b_ih
    gh = h @ W_hh.T
    gh = gh + torch.cat([b_hh[:2 * H], torch.zeros_like(b_hh[2 * H:])])
    i_r, i_z, i_n = gi.chunk(3, dim=1)
    h_r, h_z, h_n = gh.chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h
""",
        "missing_b_ih": _DOC_STEP + """
    gi = x @ W_ih.T
    gh = h @ W_hh.T + b_hh
    i_r, i_z, i_n = gi.chunk(3, dim=1)
    h_r, h_z, h_n = gh.chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h
""",
        # b_hn added outside the reset: tanh(W_in x + b_in + r * (W_hn h) + b_hn)
        "b_hn_outside_reset": _DOC_STEP + """
    H = h.shape[1]
    gi = x @ W_ih.T + b_ih
    gh = h @ W_hh.T
    r = torch.sigmoid(gi[:, :H] + gh[:, :H] + b_hh[:H])
    z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H] + b_hh[H:2 * H])
    n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:] + b_hh[2 * H:])
    return (1 - z) * n + z * h
""",
        "sigmoid_candidate": _DOC_STEP + """
    gi = x @ W_ih.T + b_ih
    gh = h @ W_hh.T + b_hh
    i_r, i_z, i_n = gi.chunk(3, dim=1)
    h_r, h_z, h_n = gh.chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.sigmoid(i_n + r * h_n)
    return (1 - z) * n + z * h
""",
        # correct numbers, but the caller's h is overwritten in place
        "updates_h_in_place": _DOC_STEP + """
    gi = x @ W_ih.T + b_ih
    gh = h @ W_hh.T + b_hh
    i_r, i_z, i_n = gi.chunk(3, dim=1)
    h_r, h_z, h_n = gh.chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    h.mul_(z).add_((1 - z) * n)
    return h
""",
    },
    "gru_param_count": {
        "single_bias": _DOC_COUNT + """
    return 3 * (D * H + H * H + H)
""",
        "four_gates": _DOC_COUNT + """
    return 4 * (D * H + H * H + 2 * H)
""",
        "missing_hh": _DOC_COUNT + """
    return 3 * (D * H + 2 * H)
""",
        "input_matrix_square": _DOC_COUNT + """
    return 3 * (D * D + H * H + 2 * H)
""",
        "float_result": _DOC_COUNT + """
    return 3 * H * (D + H + 2) / 1
""",
    },
    "quick_check": {
        "reset_gate": 'answer = "a"\n',
        "output_gate": 'answer = "d"\n',
    },
    "followup_1": {
        # a GRU-style bounded state: the count squashed by tanh
        "squashed": "followup_1 = float(np.tanh(18))\n",
        "only_the_a": "followup_1 = 30\n",
        "sum_of_both": "followup_1 = 42\n",
        "a_string": 'followup_1 = "18"\n',
    },
    "followup_2": {
        # the same hidden size: ignores the budget question
        "same_hidden_size": "followup_2 = 128\n",
        # H * 4 / 3: scales the hidden size instead of the parameters
        "four_thirds_of_h": "followup_2 = 170\n",
        # the smallest size above the budget
        "one_too_many": "followup_2 = 155\n",
        # the GRU counted with one bias vector
        "single_bias": "followup_2 = max(h for h in range(1, 1000) if 3 * (128 * h + h * h + h) <= 4 * (128 * 128 * 2 + 256))\n",
        "as_float": "followup_2 = 154.0\n",
    },
}

CORRECT = {
    "gru_step": {
        # one gate at a time with F.linear on row slices of the weights
        "per_gate_linear": _DOC_STEP + """
    import torch.nn.functional as F
    H = W_hh.shape[1]
    rows = [slice(k * H, (k + 1) * H) for k in range(3)]

    def part(k, inp, W, b):
        return F.linear(inp, W[rows[k]], b[rows[k]])

    r = torch.sigmoid(part(0, x, W_ih, b_ih) + part(0, h, W_hh, b_hh))
    z = torch.sigmoid(part(1, x, W_ih, b_ih) + part(1, h, W_hh, b_hh))
    n = torch.tanh(part(2, x, W_ih, b_ih) + r * part(2, h, W_hh, b_hh))
    return n + z * (h - n)
""",
        # einsum and torch.split, 1 / (1 + exp(-a)) written out
        "einsum_split": _DOC_STEP + """
    H = h.size(-1)
    a_x = torch.einsum("nd,gd->ng", x, W_ih) + b_ih
    a_h = torch.einsum("nk,gk->ng", h, W_hh) + b_hh
    xr, xz, xn = torch.split(a_x, H, dim=-1)
    hr, hz, hn = torch.split(a_h, H, dim=-1)
    reset = 1.0 / (1.0 + torch.exp(-(xr + hr)))
    update = 1.0 / (1.0 + torch.exp(-(xz + hz)))
    cand = torch.tanh(xn + reset * hn)
    out = update * h
    out = out + (1.0 - update) * cand
    return out
""",
        # computed in numpy float64, returned as a tensor of the input's dtype
        "numpy_round_trip": _DOC_STEP + """
    import numpy as np
    xs, hs = x.detach().double().numpy(), h.detach().double().numpy()
    Wi, Wh = W_ih.detach().double().numpy(), W_hh.detach().double().numpy()
    bi, bh = b_ih.detach().double().numpy(), b_hh.detach().double().numpy()
    H = hs.shape[1]
    gi = xs @ Wi.T + bi
    gh = hs @ Wh.T + bh
    sig = lambda v: 1 / (1 + np.exp(-v))
    r = sig(gi[:, :H] + gh[:, :H])
    z = sig(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return torch.from_numpy((1 - z) * n + z * hs).to(x.dtype)
""",
    },
    "gru_param_count": {
        "factored": _DOC_COUNT + """
    return 3 * H * (D + H + 2)
""",
        # count the tensors' shapes one by one
        "shapes": _DOC_COUNT + """
    shapes = [(3 * H, D), (3 * H, H), (3 * H,), (3 * H,)]
    total = 0
    for s in shapes:
        size = 1
        for d in s:
            size *= d
        total += size
    return total
""",
        "numpy_int": _DOC_COUNT + """
    import numpy as np
    return int(np.sum([3 * H * D, 3 * H * H, 6 * H]))
""",
    },
    "quick_check": {
        "upper_case_spaces": 'answer = " B "\n',
    },
    "followup_1": {
        "simulated": "c = 0.0\nfor ch in 'a' * 30 + 'b' * 12:\n    c = 1.0 * c + 1.0 * (1.0 if ch == 'a' else -1.0)\nfollowup_1 = c\n",
        "numpy_int": "followup_1 = np.int64(18)\n",
    },
    "followup_2": {
        # the positive root of 3h^2 + 3(D + 2)h - budget = 0, rounded down
        "quadratic_formula": "import math\nb = 4 * (2 * 128 * 128 + 2 * 128)\nfollowup_2 = int((-3 * 130 + math.sqrt((3 * 130) ** 2 + 12 * b)) / 6)\n",
        "with_modules": "followup_2 = max(h for h in range(100, 200) if sum(p.numel() for p in torch.nn.GRU(128, h).parameters()) <= sum(p.numel() for p in torch.nn.LSTM(128, 128).parameters()))\n",
    },
}

# a wrong function whose failure must cost only its own test cell in the nbgrader round trip
ROUNDTRIP_WRONG = ("gru_step", "update_roles_swapped")


def check_experiment(E):
    import matplotlib.figure

    # A: exactly 3/4 of the LSTM's parameters at every size, and the learner's count is right
    assert E["param_ratios"] and all(r == 0.75 for r in E["param_ratios"]), E["param_ratios"]
    assert all(m is True for m in E["gru_count_matches"]), E["gru_count_matches"]
    assert E["params_gru"] * 4 == E["params_lstm"] * 3, E
    # B: timings are measured (not asserted: the machine is shared)
    assert len(E["time_ratios"]) == len(E["hidden_sizes"]) and all(t > 0 for t in E["time_ratios"])
    assert len(E["mine_ratios"]) == len(E["hidden_sizes"]) and all(t > 0 for t in E["mine_ratios"])
    assert E["hidden_sizes"][0] <= 32 and E["hidden_sizes"][-1] >= 512     # small and large H both shown
    # C: both learn the task, to a similar accuracy; the learner's step matches the trained layer
    assert E["acc_gru"] >= 0.9 and E["acc_lstm"] >= 0.9, E
    assert abs(E["acc_gru"] - E["acc_lstm"]) <= 0.1, E
    assert E["gru_step_max_diff"] < 1e-4, E
    # D: the gates read out of the learner's gru_step rebuild its step, and are in range
    assert E["gru_probe_max_diff"] < 1e-9, E["gru_probe_max_diff"]
    g = E["gru_gates"]
    assert all(0 <= v <= 1 for k in ("r", "z") for v in g[k]) and all(-1 <= v <= 1 for v in g["n"]), g
    figs = E["figures"]
    assert set(figs) == {"cost", "task", "cell"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs.values())
