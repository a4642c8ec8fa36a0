"""Wrong and alternative-correct implementations for solutions/08_bidirectional.ipynb."""

STEM = "08_bidirectional"

_DOC_BI = '''
def bidirectional_run(cell_fw, cell_bw, x):
    """Run a bidirectional RNN made of two torch.nn.RNNCell(D, H); returns (N, T, 2H)."""
'''

_DOC_DEP = '''
def depends_on_future(model, x, t):
    """True iff model(x)[:, t] changes when x[:, t+1:] is perturbed."""
'''

WRONG = {
    "bidirectional_run": {
        # the backward states are stacked in reading order (step T-1 first)
        "not_re_reversed": _DOC_BI + """
    N, T, _ = x.shape
    fw, bw, h = [], [], None
    for t in range(T):
        h = cell_fw(x[:, t], h)
        fw.append(h)
    h = None
    for t in reversed(range(T)):
        h = cell_bw(x[:, t], h)
        bw.append(h)
    return torch.cat([torch.stack(fw, 1), torch.stack(bw, 1)], -1)
""",
        "halves_swapped": _DOC_BI + """
    N, T, _ = x.shape
    fw, bw, h = [], [None] * T, None
    for t in range(T):
        h = cell_fw(x[:, t], h)
        fw.append(h)
    h = None
    for t in reversed(range(T)):
        h = cell_bw(x[:, t], h)
        bw[t] = h
    return torch.cat([torch.stack(bw, 1), torch.stack(fw, 1)], -1)
""",
        "same_cell_both_directions": _DOC_BI + """
    N, T, _ = x.shape
    fw, bw, h = [], [None] * T, None
    for t in range(T):
        h = cell_fw(x[:, t], h)
        fw.append(h)
    h = None
    for t in reversed(range(T)):
        h = cell_fw(x[:, t], h)
        bw[t] = h
    return torch.cat([torch.stack(fw, 1), torch.stack(bw, 1)], -1)
""",
        # the backward cell reads the sequence left to right, like the forward one
        "backward_from_wrong_end": _DOC_BI + """
    N, T, _ = x.shape
    fw, bw, hf, hb = [], [], None, None
    for t in range(T):
        hf = cell_fw(x[:, t], hf)
        hb = cell_bw(x[:, t], hb)
        fw.append(hf)
        bw.append(hb)
    return torch.cat([torch.stack(fw, 1), torch.stack(bw, 1)], -1)
""",
        # the backward pass starts from the forward pass's final state instead of zeros
        "backward_continues_forward_state": _DOC_BI + """
    N, T, _ = x.shape
    fw, bw, h = [], [None] * T, None
    for t in range(T):
        h = cell_fw(x[:, t], h)
        fw.append(h)
    for t in reversed(range(T)):
        h = cell_bw(x[:, t], h)
        bw[t] = h
    return torch.cat([torch.stack(fw, 1), torch.stack(bw, 1)], -1)
""",
        # the input sequence is flipped for the backward pass but the states are never flipped back
        "flip_input_only": _DOC_BI + """
    xr = torch.flip(x, dims=[1])
    fw, bw, hf, hb = [], [], None, None
    for t in range(x.shape[1]):
        hf = cell_fw(x[:, t], hf)
        hb = cell_bw(xr[:, t], hb)
        fw.append(hf)
        bw.append(hb)
    return torch.cat([torch.stack(fw, 1), torch.stack(bw, 1)], -1)
""",
        "concatenated_on_time_axis": _DOC_BI + """
    N, T, _ = x.shape
    fw, bw, h = [], [None] * T, None
    for t in range(T):
        h = cell_fw(x[:, t], h)
        fw.append(h)
    h = None
    for t in reversed(range(T)):
        h = cell_bw(x[:, t], h)
        bw[t] = h
    return torch.cat([torch.stack(fw, 1), torch.stack(bw, 1)], 1)
""",
        # correct numbers, but the graph is cut: nothing can be trained through it
        "no_grad_inside": _DOC_BI + """
    with torch.no_grad():
        N, T, _ = x.shape
        fw, bw, h = [], [None] * T, None
        for t in range(T):
            h = cell_fw(x[:, t], h)
            fw.append(h)
        h = None
        for t in reversed(range(T)):
            h = cell_bw(x[:, t], h)
            bw[t] = h
        return torch.cat([torch.stack(fw, 1), torch.stack(bw, 1)], -1)
""",
    },
    "depends_on_future": {
        # off by one: the input at t itself is perturbed too
        "perturbs_from_t": _DOC_DEP + """
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        ref = model(x)[:, t]
        x2 = x.clone()
        x2[:, t:] += torch.randn(x2[:, t:].shape, generator=g, dtype=x.dtype)
        return bool((model(x2)[:, t] - ref).abs().max() > 1e-6)
""",
        "compares_whole_output": _DOC_DEP + """
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        ref = model(x)
        x2 = x.clone()
        x2[:, t + 1:] += torch.randn(x2[:, t + 1:].shape, generator=g, dtype=x.dtype)
        return bool((model(x2) - ref).abs().max() > 1e-6)
""",
        "compares_last_step": _DOC_DEP + """
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        ref = model(x)[:, -1]
        x2 = x.clone()
        x2[:, t + 1:] += torch.randn(x2[:, t + 1:].shape, generator=g, dtype=x.dtype)
        return bool((model(x2)[:, -1] - ref).abs().max() > 1e-6)
""",
        "compares_next_step": _DOC_DEP + """
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        s = min(t + 1, x.shape[1] - 1)
        ref = model(x)[:, s]
        x2 = x.clone()
        x2[:, t + 1:] += torch.randn(x2[:, t + 1:].shape, generator=g, dtype=x.dtype)
        return bool((model(x2)[:, s] - ref).abs().max() > 1e-6)
""",
        "returns_tensor": _DOC_DEP + """
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        ref = model(x)[:, t]
        x2 = x.clone()
        x2[:, t + 1:] += torch.randn(x2[:, t + 1:].shape, generator=g, dtype=x.dtype)
        return (model(x2)[:, t] != ref).any()
""",
        # right answers, but the caller's x is modified in place
        "perturbs_caller_x": _DOC_DEP + """
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        ref = model(x)[:, t].clone()
        x[:, t + 1:] += torch.randn(x[:, t + 1:].shape, generator=g, dtype=x.dtype)
        return bool((model(x)[:, t] - ref).abs().max() > 1e-6)
""",
        "perturbs_only_next_step": _DOC_DEP + """
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        ref = model(x)[:, t]
        x2 = x.clone()
        x2[:, t + 1:t + 2] += torch.randn(x2[:, t + 1:t + 2].shape, generator=g, dtype=x.dtype)
        return bool((model(x2)[:, t] - ref).abs().max() > 1e-6)
""",
        "rescales_instead_of_noise": _DOC_DEP + """
    with torch.no_grad():
        ref = model(x)[:, t]
        x2 = x.clone()
        x2[:, t + 1:] *= 2.0
        return bool((model(x2)[:, t] - ref).abs().max() > 1e-6)
""",
        # issue #14: a signed max misses a model whose output only decreases
        "signed_max": _DOC_DEP + """
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        ref = model(x)[:, t]
        for _ in range(3):
            x2 = x.clone()
            x2[:, t + 1:] += torch.randn(x2[:, t + 1:].shape, generator=g, dtype=x.dtype)
            if (model(x2)[:, t] - ref).max() > 1e-6:
                return True
    return False
""",
        # issue #14: any difference at all counts (0 instead of the stated 1e-6)
        "zero_threshold": _DOC_DEP + """
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        ref = model(x)[:, t]
        x2 = x.clone()
        x2[:, t + 1:] += torch.randn(x2[:, t + 1:].shape, generator=g, dtype=x.dtype)
        return bool((model(x2)[:, t] - ref).abs().max() > 0)
""",
        "exact_comparison_torch_equal": _DOC_DEP + """
    g = torch.Generator().manual_seed(123)
    with torch.no_grad():
        before = model(x)[:, t]
        x2 = x.detach().clone()
        x2[:, t + 1:] = torch.randn(x2[:, t + 1:].shape, generator=g, dtype=x2.dtype)
        after = model(x2)[:, t]
    return not torch.equal(before, after)
""",
        # issue #14: noise from the global RNG instead of a seeded generator
        "global_rng_randn_like": _DOC_DEP + """
    if t >= x.shape[1] - 1:
        return False
    with torch.no_grad():
        x2 = x.clone()
        x2[:, t + 1:] = x2[:, t + 1:] + torch.randn_like(x2[:, t + 1:])
        diff = (model(x2)[:, t] - model(x)[:, t]).abs().max().item()
    return diff > 1e-6
""",
        "reseeds_global_rng": _DOC_DEP + """
    torch.manual_seed(0)
    with torch.no_grad():
        ref = model(x)[:, t]
        x2 = x.clone()
        x2[:, t + 1:] += torch.randn(x2[:, t + 1:].shape, dtype=x.dtype)
        return bool((model(x2)[:, t] - ref).abs().max() > 1e-6)
""",
        "numpy_global_rng": _DOC_DEP + """
    import numpy as np
    with torch.no_grad():
        ref = model(x)[:, t]
        x2 = x.clone()
        x2[:, t + 1:] += torch.from_numpy(np.random.randn(*x2[:, t + 1:].shape)).to(x.dtype)
        return bool((model(x2)[:, t] - ref).abs().max() > 1e-6)
""",
        "first_sequence_only": _DOC_DEP + """
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        ref = model(x)[0, t]
        x2 = x.clone()
        x2[:, t + 1:] += torch.randn(x2[:, t + 1:].shape, generator=g, dtype=x.dtype)
        return bool((model(x2)[0, t] - ref).abs().max() > 1e-6)
""",
    },
    "quick_check": {
        "tagging": 'answer = "a"\n',
        "sentiment": 'answer = "d"\n',
    },
}

CORRECT = {
    "bidirectional_run": {
        # run the backward cell on the flipped sequence, then flip its states back
        "flip_twice": _DOC_BI + """
    xr = torch.flip(x, dims=[1])
    h = torch.zeros(x.shape[0], cell_bw.hidden_size)
    rev = []
    for t in range(x.shape[1]):
        h = cell_bw(xr[:, t], h)
        rev.append(h)
    bw = torch.flip(torch.stack(rev, dim=1), dims=[1])
    h = torch.zeros(x.shape[0], cell_fw.hidden_size)
    fw = []
    for t in range(x.shape[1]):
        h = cell_fw(x[:, t], h)
        fw.append(h)
    return torch.cat((torch.stack(fw, dim=1), bw), dim=2)
""",
        # write into a preallocated tensor by index
        "preallocated": _DOC_BI + """
    N, T, _ = x.shape
    H = cell_fw.hidden_size
    out = x.new_zeros(N, T, 2 * H)
    hf = x.new_zeros(N, H)
    hb = x.new_zeros(N, H)
    for i in range(T):
        hf = cell_fw(x[:, i], hf)
        out[:, i, :H] = hf
        j = T - 1 - i
        hb = cell_bw(x[:, j], hb)
        out[:, j, H:] = hb
    return out
""",
        # reversed list then list[::-1]
        "reverse_list": _DOC_BI + """
    T = x.size(1)
    hs_f, hs_b = [], []
    h_f = h_b = None
    for t in range(T):
        h_f = cell_fw(x[:, t, :], h_f)
        hs_f.append(h_f)
        h_b = cell_bw(x[:, T - 1 - t, :], h_b)
        hs_b.append(h_b)
    hs_b = hs_b[::-1]
    return torch.stack([torch.cat([f, b], dim=1) for f, b in zip(hs_f, hs_b)], dim=1)
""",
    },
    "depends_on_future": {
        # replace the future by fresh noise, the stated 1e-6 threshold
        "replace_future": _DOC_DEP + """
    g = torch.Generator().manual_seed(123)
    with torch.no_grad():
        before = model(x)[:, t]
        x2 = x.detach().clone()
        x2[:, t + 1:] = torch.randn(x2[:, t + 1:].shape, generator=g, dtype=x2.dtype)
        after = model(x2)[:, t]
    return bool((before - after).abs().max() > 1e-6)
""",
        # torch.cat, several trials, torch.allclose
        "cat_allclose_trials": _DOC_DEP + """
    gen = torch.Generator()
    gen.manual_seed(7)
    ref = model(x)[:, t].detach()
    for _ in range(5):
        noise = torch.randn(x[:, t + 1:].shape, generator=gen, dtype=x.dtype) * 3
        x2 = torch.cat([x[:, :t + 1], x[:, t + 1:] + noise], dim=1)
        if not torch.allclose(model(x2)[:, t].detach(), ref):
            return True
    return False
""",
        # early exit for the last step, float64 comparison, a generator seeded per call
        "early_exit_float64_diff": _DOC_DEP + """
    if t >= x.shape[1] - 1:
        return False
    gen = torch.Generator().manual_seed(2024)
    with torch.no_grad():
        x2 = x.clone()
        x2[:, t + 1:] = x2[:, t + 1:] + torch.randn(x2[:, t + 1:].shape, generator=gen).to(x.dtype)
        diff = (model(x2)[:, t].double() - model(x)[:, t].double()).abs().max().item()
    return diff > 1e-6
""",
    },
    "quick_check": {
        "upper_case_spaces": 'answer = " C "\n',
    },
}

# a wrong function whose failure must cost only its own test cell in the nbgrader round trip
ROUNDTRIP_WRONG = ("bidirectional_run", "not_re_reversed")


def check_experiment(E):
    import matplotlib.figure

    T = E["T"]
    # A: the bidirectional output reads the future at every step but the last; the causal never
    assert E["bi_depends"] == [True] * (T - 1) + [False], E["bi_depends"]
    assert E["causal_depends"] == [False] * T, E["causal_depends"]
    assert E["delta_causal_before_k"] == 0.0, E
    assert E["delta_bi_before_k"] > 1e-3, E
    # B: similar size, bidirectional near perfect, causal stuck near its 50 % ceiling
    assert abs(E["params_bi"] / E["params_causal"] - 1) < 0.15, E
    assert E["acc_bi"] >= 0.95, E
    assert E["acc_causal"] <= 0.6, E
    assert E["acc_bi"] - E["acc_causal"] >= 0.3, E
    figs = E["figures"]
    assert set(figs) == {"perturb", "tagging"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs.values())


# Version 2: the follow-up checks of 'What the interviewer asks next'.
WRONG.update({
    'followup_1': {'last_step': 'followup_1 = "a"\n', 'forward_half': 'followup_1 = "c"\n'},
    'followup_2': {'batch_first': 'followup_2 = (8, 4, 64)\n', 'concat_hidden': 'followup_2 = (2, 8, 128)\n'},
})
CORRECT.update({
    'followup_1': {'upper': 'followup_1 = " B"\n'},
})
