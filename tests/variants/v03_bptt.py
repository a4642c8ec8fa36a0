"""Variants for solutions/03_bptt.ipynb: mistakes the hidden tests must catch, and other correct answers."""

STEM = "03_bptt"

_STEP_HEAD = '''
def rnn_step_backward(dnext_h, cache):
    x, h_prev, Wx, Wh, next_h = cache
'''

_STEP_TAIL = '''
    return dx, dprev_h, dWx, dWh, db
'''


def _step(body: str) -> str:
    return _STEP_HEAD + body + _STEP_TAIL


_STEP_OK = '''
    da = dnext_h * (1 - next_h ** 2)
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(axis=0)
'''

_BWD_HEAD = '''
import numpy as np

def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dprev_h = np.zeros((N, H))
'''


def _bwd(body: str, ret: str = "dx, dprev_h, dWx, dWh, db") -> str:
    return _BWD_HEAD + body + f"\n    return {ret}\n"


WRONG = {
    "rnn_step_backward": {
        # tanh' taken from the state the step started from
        "tanh_grad_from_h_prev": _step(_STEP_OK.replace("1 - next_h ** 2", "1 - h_prev ** 2")),
        # tanh'(a) written as 1 - a**2 on the pre-activation
        "tanh_grad_on_preactivation": _step(_STEP_OK.replace(
            "da = dnext_h * (1 - next_h ** 2)",
            "a = np.arctanh(next_h)\n    da = dnext_h * (1 - a ** 2)")),
        # the pre-activation recomputed (without the bias, which is not cached), then 1 - a**2
        "tanh_grad_recomputed_no_bias": _step(_STEP_OK.replace(
            "da = dnext_h * (1 - next_h ** 2)",
            "a = x @ Wx + h_prev @ Wh\n    da = dnext_h * (1 - a ** 2)")),
        "tanh_grad_missing": _step(_STEP_OK.replace("da = dnext_h * (1 - next_h ** 2)", "da = dnext_h")),
        "tanh_applied_twice": _step(_STEP_OK.replace("1 - next_h ** 2", "1 - np.tanh(next_h) ** 2")),
        "dWh_transposed": _step(_STEP_OK.replace("dWh = h_prev.T @ da", "dWh = da.T @ h_prev")),
        "dWx_transposed": _step(_STEP_OK.replace("dWx = x.T @ da", "dWx = da.T @ x")),
        "dWh_from_next_h": _step(_STEP_OK.replace("dWh = h_prev.T @ da", "dWh = next_h.T @ da")),
        "dprev_h_no_transpose": _step(_STEP_OK.replace("dprev_h = da @ Wh.T", "dprev_h = da @ Wh")),
        "db_mean_over_batch": _step(_STEP_OK.replace("db = da.sum(axis=0)", "db = da.mean(axis=0)")),
        # squeeze() to "fix" shapes: right for the visible batch of 3, wrong for a batch of 1
        "squeezes_batch": _step(_STEP_OK.replace("dx = da @ Wx.T", "dx = np.squeeze(da @ Wx.T)")),
    },
    "rnn_backward": {
        # right gradients, but the caller's dh is overwritten (dh[:, t - 1] += ...)
        "modifies_dh_in_place": '''
import numpy as np

def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D)); dWx = np.zeros((D, H)); dWh = np.zeros((H, H)); db = np.zeros(H)
    dh0 = None
    for t in reversed(range(T)):
        x, h_prev, Wx, Wh, next_h = cache[t]
        da = dh[:, t] * (1 - next_h ** 2)
        dx[:, t] = da @ Wx.T
        dprev = da @ Wh.T
        dWx += x.T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        if t > 0:
            dh[:, t - 1] += dprev
        else:
            dh0 = dprev
    return dx, dh0, dWx, dWh, db
''',
        # weight gradients overwritten instead of summed over time
        "no_accumulation": _bwd('''
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx, dWh, db = rnn_step_backward(dh[:, t] + dprev_h, cache[t])
'''),
        # only the direct gradient dh[:, t]; the carried gradient is dropped
        "only_direct_gradient": _bwd('''
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t], cache[t])
        dWx += dWx_t; dWh += dWh_t; db += db_t
'''),
        # only the carried gradient: dh used at the last step only (as if many-to-one)
        "only_carried_gradient": _bwd('''
    dcur = dh[:, T - 1]
    for t in reversed(range(T)):
        dx[:, t], dcur, dWx_t, dWh_t, db_t = rnn_step_backward(dcur, cache[t])
        dWx += dWx_t; dWh += dWh_t; db += db_t
''', "dx, dcur, dWx, dWh, db"),
        # the loop runs forwards in time
        "forward_loop": _bwd('''
    for t in range(T):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, cache[t])
        dWx += dWx_t; dWh += dWh_t; db += db_t
'''),
        "dh0_zeros": _bwd('''
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, cache[t])
        dWx += dWx_t; dWh += dWh_t; db += db_t
''', "dx, np.zeros((N, H)), dWx, dWh, db"),
        "dh0_is_dh_first_step": _bwd('''
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, cache[t])
        dWx += dWx_t; dWh += dWh_t; db += db_t
''', "dx, dh[:, 0], dWx, dWh, db"),
        # range(T - 1, 0, -1) stops before the first step
        "skips_first_step": _bwd('''
    for t in range(T - 1, 0, -1):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, cache[t])
        dWx += dWx_t; dWh += dWh_t; db += db_t
'''),
        # squeeze() on the result: right for the visible batch of 2, wrong for a single sequence
        "dh0_squeezed": _bwd('''
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, cache[t])
        dWx += dWx_t; dWh += dWh_t; db += db_t
''', "dx, dprev_h.squeeze(), dWx, dWh, db"),
        "weights_averaged_over_time": _bwd('''
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, cache[t])
        dWx += dWx_t; dWh += dWh_t; db += db_t
    dWx, dWh, db = dWx / T, dWh / T, db / T
'''),
        # inline implementation with the recurrent weight gradient transposed
        "inline_dWh_transposed": _bwd('''
    for t in reversed(range(T)):
        x, h_prev, Wx, Wh, next_h = cache[t]
        da = (dh[:, t] + dprev_h) * (1 - next_h ** 2)
        dx[:, t] = da @ Wx.T
        dprev_h = da @ Wh.T
        dWx += x.T @ da
        dWh += da.T @ h_prev
        db += da.sum(axis=0)
'''),
    },
    "unrolled_edges": {
        # written for the visible T = 2 only
        "hardcoded_T2": '''
def unrolled_edges(T):
    return [("x1", "h1"), ("x2", "h2"), ("h0", "h1"), ("h1", "h2"), ("h1", "y1"), ("h2", "y2"),
            ("y1", "L"), ("y2", "L")]
''',
        # the folded loop drawn inside the unrolled graph
        "self_loop": '''
def unrolled_edges(T):
    edges = []
    for t in range(1, T + 1):
        edges += [(f"x{t}", f"h{t}"), (f"h{t}", f"h{t}"), (f"h{t}", f"y{t}"), (f"y{t}", "L")]
    return edges
''',
        "missing_h0_edge": '''
def unrolled_edges(T):
    edges = []
    for t in range(1, T + 1):
        edges += [(f"x{t}", f"h{t}"), (f"h{t}", f"y{t}"), (f"y{t}", "L")]
        if t > 1:
            edges.append((f"h{t - 1}", f"h{t}"))
    return edges
''',
        "extra_x0": '''
def unrolled_edges(T):
    edges = []
    for t in range(0, T + 1):
        edges.append((f"x{t}", f"h{t}"))
        if t > 0:
            edges += [(f"h{t - 1}", f"h{t}"), (f"h{t}", f"y{t}"), (f"y{t}", "L")]
    return edges
''',
        # arrows drawn in the direction gradients flow
        "reversed_arrows": '''
def unrolled_edges(T):
    edges = []
    for t in range(1, T + 1):
        edges += [(f"h{t}", f"x{t}"), (f"h{t}", f"h{t - 1}"), (f"y{t}", f"h{t}"), ("L", f"y{t}")]
    return edges
''',
        # states counted from 1 and one step too far: h1->h2 ... hT->h(T+1)
        "off_by_one_states": '''
def unrolled_edges(T):
    edges = []
    for t in range(1, T + 1):
        edges += [(f"x{t}", f"h{t}"), (f"h{t}", f"h{t + 1}"), (f"h{t}", f"y{t}"), (f"y{t}", "L")]
    return edges
''',
        # the loss read straight from the states, outputs left dangling
        "loss_from_states": '''
def unrolled_edges(T):
    edges = []
    for t in range(1, T + 1):
        edges += [(f"x{t}", f"h{t}"), (f"h{t - 1}", f"h{t}"), (f"h{t}", f"y{t}"), (f"h{t}", "L")]
    return edges
''',
        # only the last output feeds the loss (many-to-one drawn for a many-to-many loss)
        "only_last_output_in_loss": '''
def unrolled_edges(T):
    edges = [(f"y{T}", "L")]
    for t in range(1, T + 1):
        edges += [(f"x{t}", f"h{t}"), (f"h{t - 1}", f"h{t}"), (f"h{t}", f"y{t}")]
    return edges
''',
        "duplicate_edges": '''
def unrolled_edges(T):
    edges = []
    for t in range(1, T + 1):
        edges += [(f"x{t}", f"h{t}"), (f"h{t - 1}", f"h{t}"), (f"h{t}", f"y{t}"), (f"y{t}", "L")]
        edges += [(f"h{t - 1}", f"h{t}")]
    return edges
''',
    },
    "quick_check_memory": {
        "weights_shared": 'answer_memory = "a"',
        "quadratic": 'answer_memory = "d"',
        "not_a_string": "answer_memory = 3",
    },
    "quick_check_order": {
        "cache_order": 'answer_order = "a"',
        "any_order": 'answer_order = "d"',
        "memory": 'answer_order = "c"',
    },
}

CORRECT = {
    "rnn_step_backward": {
        # everything in float32
        "float32": _step('''
    f = lambda a: np.asarray(a, dtype=np.float32)
    x, h_prev, Wx, Wh, next_h, dnext_h = map(f, (x, h_prev, Wx, Wh, next_h, dnext_h))
    da = dnext_h * (1 - next_h * next_h)
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(axis=0)
'''),
        "einsum": _step('''
    da = dnext_h * (1 - next_h) * (1 + next_h)
    dx = np.einsum("nh,dh->nd", da, Wx)
    dprev_h = np.einsum("nh,kh->nk", da, Wh)
    dWx = np.einsum("nd,nh->dh", x, da)
    dWh = np.einsum("nk,nh->kh", h_prev, da)
    db = np.einsum("nh->h", da)
'''),
        # a loop over the batch with outer products
        "loop_over_batch": _step('''
    N, H = dnext_h.shape
    dx = np.zeros_like(x, dtype=float); dprev_h = np.zeros((N, H))
    dWx = np.zeros(Wx.shape); dWh = np.zeros(Wh.shape); db = np.zeros(H)
    for n in range(N):
        da = dnext_h[n] * (1.0 - np.square(next_h[n]))
        dx[n] = Wx @ da
        dprev_h[n] = Wh @ da
        dWx += np.outer(x[n], da)
        dWh += np.outer(h_prev[n], da)
        db += da
'''),
    },
    "rnn_backward": {
        # no call to rnn_step_backward
        "inline": _bwd('''
    for t in range(T - 1, -1, -1):
        x, h_prev, Wx, Wh, next_h = cache[t]
        da = (dh[:, t] + dprev_h) * (1 - next_h ** 2)
        dx[:, t] = da @ Wx.T
        dprev_h = da @ Wh.T
        dWx += x.T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
'''),
        # the loop only carries the state gradient; weights get one vectorised sum at the end
        "vectorised_weights": '''
import numpy as np

def rnn_backward(dh, cache):
    N, T, H = dh.shape
    Wx, Wh = cache[0][2], cache[0][3]
    xs = np.stack([c[0] for c in cache], axis=1)          # (N, T, D)
    hprev = np.stack([c[1] for c in cache], axis=1)       # (N, T, H)
    hnext = np.stack([c[4] for c in cache], axis=1)       # (N, T, H)
    G = np.empty_like(hnext)
    carry = np.zeros((N, H))
    t = T
    while t > 0:
        t -= 1
        G[:, t] = (dh[:, t] + carry) * (1 - hnext[:, t] ** 2)
        carry = G[:, t] @ Wh.T
    dx = G @ Wx.T
    dWx = np.einsum("ntd,nth->dh", xs, G)
    dWh = np.einsum("ntk,nth->kh", hprev, G)
    db = G.sum(axis=(0, 1))
    return dx, carry, dWx, dWh, db
''',
        # modifies dh in place (the caller's copy) and keeps everything in float32
        "in_place_float32": '''
import numpy as np

def rnn_backward(dh, cache):
    dh = dh.astype(np.float32)
    N, T, H = dh.shape
    D = cache[0][2].shape[0]
    dx = np.zeros((N, T, D), np.float32)
    grads = [np.zeros((D, H), np.float32), np.zeros((H, H), np.float32), np.zeros(H, np.float32)]
    for t in reversed(range(T)):
        dx[:, t], dprev, *g = rnn_step_backward(dh[:, t], cache[t])
        if t > 0:
            dh[:, t - 1] += dprev
        for acc, gi in zip(grads, g):
            acc += gi
    return (dx, dprev, *grads)
''',
    },
    "unrolled_edges": {
        "lists_of_lists_any_order": '''
def unrolled_edges(T):
    out = [[f"y{t}", "L"] for t in range(T, 0, -1)]
    out += [[f"h{t}", f"y{t}"] for t in range(1, T + 1)]
    out += [[f"h{t - 1}", f"h{t}"] for t in range(1, T + 1)]
    out += [[f"x{t}", f"h{t}"] for t in range(1, T + 1)]
    return out
''',
        "tuple_of_tuples": '''
def unrolled_edges(T):
    return tuple(e for t in range(1, T + 1)
                 for e in ((f"h{t - 1}", f"h{t}"), ("x" + str(t), "h" + str(t)),
                           ("h%d" % t, "y%d" % t), ("y{}".format(t), "L")))
''',
    },
    "quick_check_memory": {"upper_case_padded": 'answer_memory = " C "'},
    "quick_check_order": {"upper_case": 'answer_order = "B"'},
}

# A wrong implementation whose failure touches only its own test cell (for the nbgrader round trip).
ROUNDTRIP_WRONG = ("unrolled_edges", "self_loop")


def check_experiment(E):
    names = {"dx", "dh0", "dWx", "dWh", "db"}
    assert set(E["numeric_rel_error"]) == names, E["numeric_rel_error"]
    assert all(v < 1e-6 for v in E["numeric_rel_error"].values()), E["numeric_rel_error"]
    assert set(E["autograd_max_diff"]) == names, E["autograd_max_diff"]
    assert all(v < 1e-10 for v in E["autograd_max_diff"].values()), E["autograd_max_diff"]

    Ts, cache_b, torch_b = E["T"], E["cache_bytes"], E["torch_saved_bytes"]
    assert len(Ts) >= 4 and Ts == sorted(Ts) and len(cache_b) == len(torch_b) == len(Ts)
    # cached memory grows with T, by the same number of bytes per extra step (linear)
    assert all(b2 > b1 for b1, b2 in zip(cache_b, cache_b[1:])), cache_b
    per = E["bytes_per_step"]
    assert len(per) == len(Ts) - 1 and per[0] > 0 and all(p == per[0] for p in per), per
    assert cache_b[-1] / cache_b[0] > 0.8 * Ts[-1] / Ts[0], (cache_b, Ts)
    tper = E["torch_bytes_per_step"]
    assert tper[0] > 0 and all(abs(p - tper[0]) <= 0.01 * tper[0] for p in tper), tper
    # the weights do not grow: far below the cache at the longest T
    assert 0 < E["weight_bytes"] < cache_b[-1]
    assert E["num_edges_T4"] == 16
    # the drawing's sum over time: the per-step shares of dL/dW_h add up to rnn_backward's dWh
    assert len(E["dWh_step_norms"]) == 4 and all(v > 0 for v in E["dWh_step_norms"]), E["dWh_step_norms"]
    assert E["dWh_sum_max_diff"] < 1e-12, E["dWh_sum_max_diff"]
    assert E["bptt_figure"] is not None


# Version 2: the follow-up checks of 'What the interviewer asks next'.
WRONG.update({
    'followup_1': {'no_checkpointing': 'followup_1 = 10_000\n', 'checkpoints_only': 'followup_1 = 100\n'},
    'followup_2': {'same_cost': 'followup_2 = (2, 2)\n', 'list': 'followup_2 = [2, 4]\n'},
})
