"""Wrong and alternative-correct implementations for solutions/02_vanilla_rnn.ipynb."""

STEM = "02_vanilla_rnn"

_STEP = '''
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """One vanilla RNN step for a minibatch."""
'''

_FWD = '''
def rnn_forward(x, h0, Wx, Wh, b):
    """Vanilla RNN over whole sequences (batch first)."""
'''


def _step(expr, cache="(x, h_prev, Wx, Wh, next_h)"):
    return _STEP + f"    next_h = {expr}\n    return next_h, {cache}\n"


WRONG = {
    "rnn_step_forward": {
        # the cache keeps the pre-activation instead of next_h (backward would need tanh again)
        "cache_holds_preactivation": '''
import numpy as np

def rnn_step_forward(x, h_prev, Wx, Wh, b):
    a = x @ Wx + h_prev @ Wh + b
    next_h = np.tanh(a)
    return next_h, (x, h_prev, Wx, Wh, a)
''',
        "wh_transposed": _step("np.tanh(x @ Wx + h_prev @ Wh.T + b)"),
        "wx_transposed": _step("np.tanh(x @ Wx.T + h_prev @ Wh + b)"),
        "both_transposed_torch_style": _step("np.tanh(x @ Wx.T + h_prev @ Wh.T + b)"),
        "x_and_h_swapped": _step("np.tanh(x @ Wh + h_prev @ Wx + b)"),
        "bias_twice": _step("np.tanh(x @ Wx + b + h_prev @ Wh + b)"),
        "no_bias": _step("np.tanh(x @ Wx + h_prev @ Wh)"),
        "bias_outside_tanh": _step("np.tanh(x @ Wx + h_prev @ Wh) + b"),
        "sigmoid": _step("1 / (1 + np.exp(-(x @ Wx + h_prev @ Wh + b)))"),
        "relu": _step("np.maximum(0, x @ Wx + h_prev @ Wh + b)"),
        "no_recurrent_term": _step("np.tanh(x @ Wx + b)"),
        "returns_only_next_h": _STEP + "    return np.tanh(x @ Wx + h_prev @ Wh + b)\n",
        "updates_h_prev_in_place": _STEP + """
    h_prev[...] = np.tanh(x @ Wx + h_prev @ Wh + b)
    return h_prev, (x, h_prev, Wx, Wh, h_prev)
""",
    },
    "rnn_forward": {
        # step caches inserted at the front: the list is in reverse time order
        "cache_reversed": '''
import numpy as np

def rnn_forward(x, h0, Wx, Wh, b):
    h = h0
    states, cache = [], []
    for t in range(x.shape[1]):
        h_new = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        cache.insert(0, (x[:, t], h, Wx, Wh, h_new))
        h = h_new
        states.append(h)
    return np.stack(states, axis=1), cache
''',
        "includes_h0": _FWD + """
    h, states, cache = h0, [h0], []
    for t in range(x.shape[1]):
        h, c = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        states.append(h)
        cache.append(c)
    return np.stack(states, axis=1), cache
""",
        "drops_last_state": _FWD + """
    h, states, cache = h0, [], []
    for t in range(x.shape[1]):
        states.append(h)
        h, c = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        cache.append(c)
    return np.stack(states, axis=1), cache
""",
        "state_not_carried": _FWD + """
    states, cache = [], []
    for t in range(x.shape[1]):
        h, c = rnn_step_forward(x[:, t], h0, Wx, Wh, b)
        states.append(h)
        cache.append(c)
    return np.stack(states, axis=1), cache
""",
        "time_major_output": _FWD + """
    h, states, cache = h0, [], []
    for t in range(x.shape[1]):
        h, c = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        states.append(h)
        cache.append(c)
    return np.stack(states), cache
""",
        "indexes_batch_axis_as_time": _FWD + """
    N, T, D = x.shape
    h, states, cache = h0, [], []
    for t in range(T):
        h, c = rnn_step_forward(x[t], h, Wx, Wh, b)
        states.append(h)
        cache.append(c)
    return np.stack(states, axis=1), cache
""",
        "aliased_in_place_state": _FWD + """
    N, T, D = x.shape
    h = np.array(h0, dtype=float)
    states, cache = [], []
    for t in range(T):
        h[:] = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        states.append(h)
        cache.append((x[:, t], None, Wx, Wh, h))
    return np.stack(states, axis=1), cache
""",
        "off_by_one_write": _FWD + """
    N, T, D = x.shape
    h_all = np.zeros((N, T, h0.shape[1]))
    h, cache = h0, []
    for t in range(T):
        h, c = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        h_all[:, t - 1] = h
        cache.append(c)
    return h_all, cache
""",
        "returns_only_states": _FWD + """
    h, states = h0, []
    for t in range(x.shape[1]):
        h, _ = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        states.append(h)
    return np.stack(states, axis=1)
""",
    },
    "quick_check": {
        "a": 'answer = "a"\n',
        "c": 'answer = "c"\n',
        "d": 'answer = "d"\n',
    },
}

CORRECT = {
    "rnn_step_forward": {
        "einsum": _step("np.tanh(np.einsum('nd,dh->nh', x, Wx) + np.einsum('nk,kh->nh', h_prev, Wh) + b[None, :])"),
        "dot_and_transposes": _step("np.tanh((Wx.T @ x.T).T + np.dot(h_prev, Wh) + b)"),
        "float32": _STEP + """
    f = lambda a: np.asarray(a, dtype=np.float32)
    next_h = np.tanh(f(x) @ f(Wx) + f(h_prev) @ f(Wh) + f(b))
    return next_h, (x, h_prev, Wx, Wh, next_h)
""",
        "via_exp": _step("1 - 2 / (np.exp(2 * (x @ Wx + h_prev @ Wh + b)) + 1)"),
    },
    "rnn_forward": {
        "preallocated_inline": _FWD + """
    N, T, D = x.shape
    H = h0.shape[1]
    h_all = np.empty((N, T, H), dtype=np.result_type(x, h0, Wx, Wh, b))
    h, cache = h0, []
    for t in range(T):
        next_h = np.tanh(x[:, t, :] @ Wx + h @ Wh + b)
        cache.append((x[:, t, :], h, Wx, Wh, next_h))
        h_all[:, t, :] = next_h
        h = next_h
    return h_all, cache
""",
        "time_major_then_transpose": _FWD + """
    xt = np.transpose(x, (1, 0, 2))            # (T, N, D)
    h, states, cache = h0, [], []
    for x_t in xt:
        h, c = rnn_step_forward(x_t, h, Wx, Wh, b)
        states.append(h)
        cache.append(c)
    return np.transpose(np.array(states), (1, 0, 2)), cache
""",
        "input_projection_first": _FWD + """
    N, T, D = x.shape
    proj = x @ Wx + b                          # (N, T, H), all input terms at once
    h, states, cache = h0, [], []
    for t in range(T):
        nh = np.tanh(proj[:, t] + h @ Wh)
        cache.append((x[:, t], h, Wx, Wh, nh))
        states.append(nh)
        h = nh
    return np.stack(states, axis=1), cache
""",
        "float32": _FWD + """
    f = lambda a: np.asarray(a, dtype=np.float32)
    x, h, Wx, Wh, b = f(x), f(h0), f(Wx), f(Wh), f(b)
    states, cache = [], []
    for t in range(x.shape[1]):
        h, c = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        states.append(h)
        cache.append(c)
    return np.stack(states, axis=1), cache
""",
    },
    "quick_check": {
        "with_spaces": 'answer = " b "\n',
    },
}

# A wrong implementation whose failure costs only its own test cell (no other test calls it).
ROUNDTRIP_WRONG = ("rnn_forward", "includes_h0")


def check_experiment(E):
    # the learner's forward pass is torch.nn.RNN's function
    assert E["max_diff_torch_float64"] < 1e-10, E
    assert E["max_diff_torch_float32"] < 1e-5, E
    assert E["last_state_matches_h_n"] is True
    assert E["cache_length"] == 40
    # tanh keeps every state inside (-1, 1)
    assert E["max_abs_state"] < 1.0
    sat = E["saturated_fraction"]
    assert sat["weights x 4"] > sat["modest weights"] + 0.15, sat
    # modest weights: the pulse fades within a few steps; large weights: it never fades
    vis = E["steps_pulse_visible"]
    assert vis["modest weights"] < 20, vis
    assert vis["weights x 4"] >= E["steps_after_pulse"] - 2, vis


# Version 2: the follow-up checks of 'What the interviewer asks next'.
WRONG.update({
    'followup_1': {'tanh_value': 'followup_1 = 0.8586\n', 'linear_growth': 'followup_1 = 1.5 * 20\n'},
    'followup_2': {'one_example': 'followup_2 = 100 * 256 + 256 * 256\n', 'input_product_only': 'followup_2 = 32 * 100 * 256\n'},
})
CORRECT.update({
    'followup_1': {'closed_form': 'followup_1 = 1.5 ** 20\n'},
})
