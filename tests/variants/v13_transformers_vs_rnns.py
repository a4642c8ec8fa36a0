"""Wrong and alternative-correct implementations for solutions/13_transformers_vs_rnns.ipynb."""

STEM = "13_transformers_vs_rnns"

_DOC_ATT = '''
def causal_self_attention(x, Wq, Wk, Wv):
    """x: (N, T, D); Wq, Wk, Wv: (D, d). Returns (N, T, d)."""
'''

_DOC_LC = '''
def layer_cost(kind, n, d, k=3):
    """{"ops", "sequential", "path"} for "rnn", "cnn", "attention"."""
'''

_DOC_SP = '''
def sinusoidal_positions(T, d):
    """(T, d): even columns sin(t / 10000 ** (2i / d)), odd columns cos."""
'''


def _lc(att="n * n * d", rnn="n * d * d", cnn="k * n * d * d", rnn_seq="n", rnn_path="n",
        cnn_path="levels", levels_code=None):
    """The reference layer_cost with one piece changed."""
    levels_code = levels_code or '''
        levels, reach = 0, 1
        while reach < n:
            reach *= k
            levels += 1'''
    return _DOC_LC + f'''
    if kind == "attention":
        return {{"ops": {att}, "sequential": 1, "path": 1}}
    if kind == "rnn":
        return {{"ops": {rnn}, "sequential": {rnn_seq}, "path": {rnn_path}}}
    if kind == "cnn":{levels_code}
        return {{"ops": {cnn}, "sequential": 1, "path": {cnn_path}}}
    raise ValueError(kind)
'''


def _sp(even="torch.sin", odd="torch.cos", angle="t / 10000.0 ** (two_i / d)", t_start=0, shape="P"):
    """The reference sinusoidal_positions with one piece changed."""
    return _DOC_SP + f'''
    t = torch.arange({t_start}, {t_start} + T, dtype=torch.float64).unsqueeze(1)
    two_i = torch.arange(0, d, 2, dtype=torch.float64)
    angles = {angle}
    P = torch.zeros(T, d, dtype=torch.float64)
    P[:, 0::2] = {even}(angles)
    P[:, 1::2] = {odd}(angles[:, : d // 2])
    return ({shape}).float()
'''


def _att(scale="math.sqrt(q.shape[-1])", q="x @ Wq", k="x @ Wk", diagonal=1, dim=-1):
    """The reference body with one piece changed."""
    return _DOC_ATT + f"""
    q, k, v = {q}, {k}, x @ Wv
    scores = q @ k.transpose(-2, -1) / {scale}
    T = x.shape[1]
    future = torch.ones(T, T, dtype=torch.bool).triu(diagonal={diagonal})
    scores = scores.masked_fill(future, float("-inf"))
    return torch.softmax(scores, dim={dim}) @ v
"""


WRONG = {
    "causal_self_attention": {
        "scaled_by_d": _att(scale="q.shape[-1]"),
        "no_scaling": _att(scale="1.0"),
        "scaled_by_sqrt_D": _att(scale="math.sqrt(x.shape[-1])"),
        # the mask also hides the diagonal: a token does not attend to itself (row 0 is all -inf)
        "no_self_attention": _att(diagonal=0),
        # the mask starts one step late: a token also reads the next one
        "attends_next_token": _att(diagonal=2),
        "softmax_over_queries": _att(dim=-2),
        "q_and_k_swapped": _att(q="x @ Wk", k="x @ Wq"),
        # softmax over all keys, then the future weights zeroed without renormalising
        "mask_after_softmax": _DOC_ATT + """
    q, k, v = x @ Wq, x @ Wk, x @ Wv
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    T = x.shape[1]
    weights = weights * torch.tril(torch.ones(T, T))
    return weights @ v
""",
        # a placeholder left in place: the check must say "only zeros", not "off by the same factor -0"
        "placeholder_zeros": _DOC_ATT + """
    return torch.zeros(x.shape[0], x.shape[1], Wv.shape[1])
""",
        "no_mask": _DOC_ATT + """
    q, k, v = x @ Wq, x @ Wk, x @ Wv
    return torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1) @ v
""",
        # masking by multiplying the scores with the lower triangle: the future gets score 0, not -inf
        "mask_by_zeroing_scores": _DOC_ATT + """
    q, k, v = x @ Wq, x @ Wk, x @ Wv
    T = x.shape[1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) * torch.tril(torch.ones(T, T))
    return torch.softmax(scores, dim=-1) @ v
""",
    },
    "layer_cost": {
        # n * d: the cost of one query, not of all n of them
        "attention_ops_n_d": _lc(att="n * d"),
        "rnn_ops_n2_d": _lc(rnn="n * n * d"),
        "cnn_ops_without_k": _lc(cnn="n * d * d"),
        "rnn_sequential_1": _lc(rnn_seq="1"),
        "rnn_path_n_minus_1": _lc(rnn_path="n - 1"),
        # the undilated stack's path
        "cnn_path_n_over_k": _lc(cnn_path="-(-n // k)"),
        # float logarithms: off by one at exact powers such as 125 = 5 ** 3 or 243 = 3 ** 5
        "cnn_path_float_log": _lc(levels_code="""
        import math
        levels = math.ceil(math.log(n, k))"""),
        "cnn_path_log2_ratio": _lc(levels_code="""
        import math
        levels = math.ceil(math.log2(n) / math.log2(k))"""),
        "cnn_path_numpy_log": _lc(levels_code="""
        import numpy as np
        levels = int(np.ceil(np.log(n) / np.log(k)))"""),
        # floor instead of ceil
        "cnn_path_floor": _lc(levels_code="""
        levels, reach = 0, k
        while reach <= n:
            reach *= k
            levels += 1"""),
        "cnn_path_log2_ignores_k": _lc(levels_code="""
        levels = (n - 1).bit_length()"""),
        "returns_floats": _lc(att="float(n ** 2 * d)", rnn="float(n * d ** 2)", cnn="float(k * n * d ** 2)"),
        "no_value_error": _DOC_LC + """
    if kind == "attention":
        return {"ops": n * n * d, "sequential": 1, "path": 1}
    if kind == "rnn":
        return {"ops": n * d * d, "sequential": n, "path": n}
    levels, reach = 0, 1
    while reach < n:
        reach *= k
        levels += 1
    return {"ops": k * n * d * d, "sequential": 1, "path": levels}
""",
        "default_k_2": _DOC_LC.replace("k=3", "k=2") + """
    if kind == "attention":
        return {"ops": n * n * d, "sequential": 1, "path": 1}
    if kind == "rnn":
        return {"ops": n * d * d, "sequential": n, "path": n}
    if kind == "cnn":
        levels, reach = 0, 1
        while reach < n:
            reach *= k
            levels += 1
        return {"ops": k * n * d * d, "sequential": 1, "path": levels}
    raise ValueError(kind)
""",
    },
    "sinusoidal_positions": {
        "sin_cos_swapped": _sp(even="torch.cos", odd="torch.sin"),
        "transposed_d_by_T": _sp(shape="P.T"),
        "base_1000": _sp(angle="t / 1000.0 ** (two_i / d)"),
        # exponent i / d with i the pair index: the frequencies fall half as fast
        "exponent_i_over_d": _sp(angle="t / 10000.0 ** (two_i / 2 / d)"),
        # multiplies by 10000 ** (2i / d) instead of dividing
        "frequency_inverted": _sp(angle="t * 10000.0 ** (two_i / d)"),
        "positions_from_1": _sp(t_start=1),
        # each column uses its own index j / d: the cosine's frequency differs from its sine's
        "column_index_exponent": _DOC_SP + """
    t = torch.arange(T, dtype=torch.float64).unsqueeze(1)
    j = torch.arange(d, dtype=torch.float64)
    angles = t / 10000.0 ** (j / d)
    P = torch.where(j.long() % 2 == 0, torch.sin(angles), torch.cos(angles))
    return P.float()
""",
        # first half sines, second half cosines (concatenated, not interleaved)
        "concatenated_halves": _DOC_SP + """
    t = torch.arange(T, dtype=torch.float64).unsqueeze(1)
    two_i = torch.arange(0, d, 2, dtype=torch.float64)
    angles = t / 10000.0 ** (two_i / d)
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)[:, :d].float()
""",
        # the tutorial recipe without the slice: fails for odd d
        "odd_d_breaks": _DOC_SP + """
    import math
    position = torch.arange(T).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
    P = torch.zeros(T, d)
    P[:, 0::2] = torch.sin(position * div_term)
    P[:, 1::2] = torch.cos(position * div_term)
    return P
""",
        "all_zeros": _DOC_SP + "    return torch.zeros(T, d)\n",
    },
    "quick_check": {
        "constant_memory": 'answer = "a"\n',
        "in_order": 'answer = "d"\n',
    },
    "followup_1": {
        "one_head": "followup_1 = 4096 * 4096 * 2\n",
        "float32": "followup_1 = 4096 * 4096 * 32 * 4\n",
        "T_times_d": "followup_1 = 4096 * 128 * 32 * 2\n",
    },
    "followup_2": {
        "forgot_normaliser": "followup_2 = 64 * 64\n",
        "vectors_only": "followup_2 = 64 + 64\n",
    },
    "followup_3": {
        "whole_matrix": "followup_3 = 1000 * 1000\n",
        "cached_only": "followup_3 = 999\n",
    },
}

CORRECT = {
    "causal_self_attention": {
        # one query at a time, keys 0..t only
        "loop_over_t": _DOC_ATT + """
    q, k, v = x @ Wq, x @ Wk, x @ Wv
    d = Wq.shape[1]
    outs = []
    for t in range(x.shape[1]):
        s = torch.einsum("nd,njd->nj", q[:, t], k[:, :t + 1]) / d ** 0.5
        w = torch.softmax(s, dim=1)
        outs.append(torch.einsum("nj,njd->nd", w, v[:, :t + 1]))
    return torch.stack(outs, dim=1)
""",
        # additive -inf mask from a triu matrix, einsum for the products
        "additive_inf_mask_einsum": _DOC_ATT + """
    q = torch.einsum("ntd,de->nte", x, Wq)
    k = torch.einsum("ntd,de->nte", x, Wk)
    v = torch.einsum("ntd,de->nte", x, Wv)
    T = x.size(1)
    mask = torch.full((T, T), float("-inf"), dtype=x.dtype).triu(1)
    s = torch.einsum("nte,nse->nts", q, k) * (q.size(-1) ** -0.5) + mask
    return torch.einsum("nts,nse->nte", s.softmax(-1), v)
""",
        # large negative instead of -inf, hand-written stable softmax, bmm
        "large_negative_manual_softmax": _DOC_ATT + """
    q, k, v = torch.matmul(x, Wq), torch.matmul(x, Wk), torch.matmul(x, Wv)
    T = x.shape[1]
    s = torch.bmm(q, k.permute(0, 2, 1)) / math.sqrt(Wk.shape[1])
    keep = torch.tril(torch.ones(T, T, dtype=torch.bool))
    s = torch.where(keep, s, torch.full_like(s, -1e9))
    s = s - s.max(dim=-1, keepdim=True).values
    e = torch.exp(s)
    return torch.bmm(e / e.sum(dim=-1, keepdim=True), v)
""",
    },
    "layer_cost": {
        "table_and_integer_log": _DOC_LC + """
    if kind not in ("rnn", "cnn", "attention"):
        raise ValueError(f"unknown kind {kind}")
    m = 0
    while k ** m < n:
        m += 1
    table = {"rnn": (n * d ** 2, n, n), "cnn": (k * n * d ** 2, 1, m), "attention": (n ** 2 * d, 1, 1)}
    ops, seq, path = table[kind]
    return {"ops": ops, "sequential": seq, "path": path}
""",
        # float log corrected with an integer check
        "float_log_then_fix": _DOC_LC + """
    import math
    if kind == "rnn":
        return dict(ops=n * d * d, sequential=n, path=n)
    if kind == "attention":
        return dict(ops=n * n * d, sequential=1, path=1)
    if kind != "cnn":
        raise ValueError(kind)
    m = max(0, math.ceil(math.log(n, k)) - 1)
    while k ** m < n:
        m += 1
    return dict(ops=k * n * d * d, sequential=1, path=m)
""",
        "numpy_ints": _DOC_LC + """
    import numpy as np
    if kind == "attention":
        return {"ops": np.int64(n) * n * d, "sequential": np.int64(1), "path": np.int64(1)}
    if kind == "rnn":
        return {"ops": np.int64(n) * d * d, "sequential": np.int64(n), "path": np.int64(n)}
    if kind == "cnn":
        path, covered = 0, 1
        while covered < n:
            covered, path = covered * k, path + 1
        return {"ops": np.int64(k) * n * d * d, "sequential": np.int64(1), "path": np.int64(path)}
    raise ValueError(kind)
""",
    },
    "sinusoidal_positions": {
        # the tutorial recipe (exp of a log) in float32, odd d handled by slicing
        "exp_log_float32": _DOC_SP + """
    import math
    position = torch.arange(T, dtype=torch.float32).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
    P = torch.zeros(T, d)
    P[:, 0::2] = torch.sin(position * div_term)
    P[:, 1::2] = torch.cos(position * div_term)[:, : d // 2]
    return P
""",
        "numpy_loops_float64": _DOC_SP + """
    import numpy as np
    P = np.zeros((T, d))
    for t in range(T):
        for i in range(0, d, 2):
            P[t, i] = np.sin(t / 10000 ** (i / d))
            if i + 1 < d:
                P[t, i + 1] = np.cos(t / 10000 ** (i / d))
    return torch.from_numpy(P)
""",
        "stack_interleave": _DOC_SP + """
    half = (d + 1) // 2
    freq = 1.0 / (10000 ** (torch.arange(half) * 2 / d))
    ang = torch.outer(torch.arange(T).float(), freq)
    P = torch.stack([torch.sin(ang), torch.cos(ang)], dim=-1).reshape(T, 2 * half)
    return P[:, :d]
""",
    },
    "quick_check": {
        "upper_case_spaces": 'answer = " B "\n',
    },
    "followup_1": {"numpy_int": "import numpy as np\nfollowup_1 = np.int64(2) ** 30\n"},
}

# a wrong function whose failure must cost only its own test cell in the nbgrader round trip
ROUNDTRIP_WRONG = ("causal_self_attention", "scaled_by_d")


def check_experiment(E):
    import math

    import matplotlib.figure
    import numpy as np

    # A: the weights read back from the learner's attention are causal and normalised
    w = np.asarray(E["attention_weights"], dtype=float)
    assert w.ndim == 2 and w.shape[0] == w.shape[1] >= 4, w.shape
    assert np.abs(np.triu(w, 1)).max() < 1e-6, "weights above the diagonal"
    assert np.allclose(w.sum(axis=1), 1.0, atol=1e-5), w.sum(axis=1)
    assert (w >= -1e-7).all()
    assert abs(w[0, 0] - 1.0) < 1e-6
    assert np.tril(w, -1).max() > 0.05          # it really mixes earlier positions
    # B: memory: prefill scores quadruple when T doubles, decoding memory doubles, the RNN state is flat
    Ts = E["T_values"]
    assert Ts[-1] >= 512 and all(b == 2 * a for a, b in zip(Ts, Ts[1:])), Ts
    sb, db, kv, st = E["score_bytes"], E["decode_bytes"], E["kv_bytes"], E["state_bytes"]
    assert all(b == 4 * a for a, b in zip(sb, sb[1:])), sb
    assert sb[0] == Ts[0] ** 2 * 4, sb
    assert db == [4 * T for T in Ts], db
    assert kv == [2 * T * E["width"] * 4 for T in Ts], kv
    assert len(set(st)) == 1 and st[0] > 0, st
    # the Python loop and nn.RNN compute the same recurrence
    assert E["loop_vs_layer"] < 1e-5, E["loop_vs_layer"]
    # structural counts from the learner's layer_cost
    d = E["width"]
    cost = E["cost"]
    assert [c["sequential"] for c in cost["rnn"]] == Ts and [c["path"] for c in cost["rnn"]] == Ts
    assert [c["ops"] for c in cost["rnn"]] == [T * d * d for T in Ts]
    assert [c["ops"] for c in cost["attention"]] == [T * T * d for T in Ts]
    assert all(c["sequential"] == 1 and c["path"] == 1 for c in cost["attention"])
    assert [c["path"] for c in cost["cnn"]] == [math.ceil(math.log(T, 3) - 1e-9) for T in Ts]
    assert E["flops_attention"][-1] > 30 * E["flops_rnn"][-1]
    # timings: only sane numbers (no ordering: it could flip under load)
    for key in ("cell_seconds", "rnn_seconds", "attention_seconds"):
        assert len(E[key]) == len(Ts)
        assert all(math.isfinite(s) and s > 0 for s in E[key]), E[key]
    assert all(math.isfinite(v) for v in E["slopes"].values())
    # C: without positions attention is permutation-equivariant; positions (or the causal mask) break it
    g = E["gaps"]
    assert g["encoder attention, no positions"] < 1e-5, g
    assert g["encoder attention + your positions"] > 0.05, g
    assert g["your causal attention, no positions"] > 0.05, g
    no_pos, pos = np.asarray(E["swap_no_positions"]), np.asarray(E["swap_with_positions"])
    assert no_pos.max() < 1e-5 and (pos > 1e-3).all(), (no_pos, pos)
    P = np.asarray(E["positions"])
    t = np.arange(P.shape[0])[:, None]
    two_i = (np.arange(P.shape[1]) // 2 * 2)[None, :]
    ref = np.where(np.arange(P.shape[1]) % 2 == 0, np.sin(t / 10000 ** (two_i / P.shape[1])),
                   np.cos(t / 10000 ** (two_i / P.shape[1])))
    assert np.allclose(P, ref, atol=1e-5)
    figs = E["figures"]
    assert set(figs) == {"attention_map", "time", "memory", "positions"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs.values())
