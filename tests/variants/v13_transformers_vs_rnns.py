"""Wrong and alternative-correct implementations for solutions/13_transformers_vs_rnns.ipynb."""

STEM = "13_transformers_vs_rnns"

_DOC_ATT = '''
def causal_self_attention(x, Wq, Wk, Wv):
    """x: (N, T, D); Wq, Wk, Wv: (D, d). Returns (N, T, d)."""
'''

_DOC_STEPS = '''
def sequential_steps(model_kind, T):
    """Steps that must run in order for one layer: "rnn" -> T, "transformer" -> 1."""
'''

_DOC_PATH = '''
def max_path_length(model_kind, T):
    """Longest path between two positions: "rnn" -> T - 1, "transformer" -> 1."""
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
    "sequential_steps": {
        "rnn_T_minus_1": _DOC_STEPS + """
    if model_kind == "rnn":
        return T - 1
    if model_kind == "transformer":
        return 1
    raise ValueError(model_kind)
""",
        "transformer_T_steps": _DOC_STEPS + """
    if model_kind in ("rnn", "transformer"):
        return T
    raise ValueError(model_kind)
""",
        "no_value_error": _DOC_STEPS + """
    if model_kind == "rnn":
        return T
    return 1
""",
        "swapped": _DOC_STEPS + """
    if model_kind == "transformer":
        return T
    if model_kind == "rnn":
        return 1
    raise ValueError(model_kind)
""",
        # constant on the visible T = 10 only
        "hard_coded": _DOC_STEPS + """
    if model_kind == "rnn":
        return 10
    if model_kind == "transformer":
        return 1
    raise ValueError(model_kind)
""",
    },
    "max_path_length": {
        "rnn_T": _DOC_PATH + """
    if model_kind == "rnn":
        return T
    if model_kind == "transformer":
        return 1
    raise ValueError(model_kind)
""",
        "transformer_log_T": _DOC_PATH + """
    import math
    if model_kind == "rnn":
        return T - 1
    if model_kind == "transformer":
        return math.ceil(math.log2(T))
    raise ValueError(model_kind)
""",
        "no_value_error": _DOC_PATH + """
    if model_kind == "rnn":
        return T - 1
    return 1
""",
        "returns_float": _DOC_PATH + """
    if model_kind == "rnn":
        return T - 1.0
    if model_kind == "transformer":
        return 1.0
    raise ValueError(model_kind)
""",
        "hard_coded": _DOC_PATH + """
    if model_kind == "rnn":
        return 9
    if model_kind == "transformer":
        return 1
    raise ValueError(model_kind)
""",
    },
    "quick_check": {
        "constant_memory": 'answer = "a"\n',
        "in_order": 'answer = "d"\n',
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
    "sequential_steps": {
        "dict_lookup": _DOC_STEPS + """
    table = {"rnn": int(T), "transformer": 1}
    if model_kind not in table:
        raise ValueError(f"unknown kind {model_kind}")
    return table[model_kind]
""",
        "match_statement": _DOC_STEPS + """
    match model_kind:
        case "rnn":
            return T
        case "transformer":
            return 1
        case _:
            raise ValueError(model_kind)
""",
    },
    "max_path_length": {
        "dict_of_lambdas": _DOC_PATH + """
    rules = {"rnn": lambda n: n - 1, "transformer": lambda n: 1}
    try:
        return rules[model_kind](T)
    except KeyError:
        raise ValueError(model_kind) from None
""",
        "validate_first": _DOC_PATH + """
    if model_kind not in ("rnn", "transformer"):
        raise ValueError("model_kind must be 'rnn' or 'transformer'")
    return 1 if model_kind == "transformer" else T - 1
""",
    },
    "quick_check": {
        "upper_case_spaces": 'answer = " B "\n',
    },
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
    # B: memory: scores quadruple when T doubles, the RNN state does not grow
    Ts = E["T_values"]
    assert Ts[-1] >= 512 and all(b == 2 * a for a, b in zip(Ts, Ts[1:])), Ts
    sb, st = E["score_bytes"], E["state_bytes"]
    assert all(b == 4 * a for a, b in zip(sb, sb[1:])), sb
    assert sb[0] == Ts[0] ** 2 * 4, sb
    assert len(set(st)) == 1 and st[0] > 0, st
    # structural counts from the learner's functions
    assert E["steps_rnn"] == Ts and E["steps_transformer"] == [1] * len(Ts)
    assert E["path_rnn"] == [T - 1 for T in Ts] and E["path_transformer"] == [1] * len(Ts)
    # timings: only sane numbers (no ordering: it could flip under load)
    for key in ("rnn_seconds", "attention_seconds"):
        assert len(E[key]) == len(Ts)
        assert all(math.isfinite(s) and s > 0 for s in E[key]), E[key]
    assert math.isfinite(E["rnn_slope"]) and math.isfinite(E["attention_slope"])
    figs = E["figures"]
    assert set(figs) == {"attention_map", "time", "memory"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs.values())
