"""Wrong and alternative-correct implementations for solutions/15_streaming_rnns.ipynb."""

STEM = "15_streaming_rnns"

_HEAD = '''
class StreamingRNN:
    """Run a recurrent layer one step at a time, carrying only its state."""

    def __init__(self, rnn):
        self.rnn = rnn
        self.state = None

    def reset(self):
        self.state = None
'''

# a correct constructor and step, for variants that differ only in reset()
_STEPPER = '''
class StreamingRNN:
    """Run a recurrent layer one step at a time, carrying only its state."""

    def __init__(self, rnn):
        self.rnn = rnn
        self.state = None

    def step(self, x_t):
        with torch.no_grad():
            out, self.state = self.rnn(x_t.unsqueeze(1), self.state)
        return out[:, 0]
'''

_SB = '''
def state_bytes(model):
    """Bytes held by model.state."""
'''

_KV = '''
def kv_cache_bytes(T, layers, d_model):
    """Bytes of a float32 KV cache after T tokens."""
'''

_LS = '''
def linear_scan(a, b, h0):
    """h_t = a_t * h_{t-1} + b_t; a, b: (N, T, H), h0: (N, H) -> (N, T, H)."""
'''

_PS = '''
def parallel_linear_scan(a, b, h0):
    """The same states by an associative scan in ceil(log2 T) rounds."""
'''


def _hs(fold="a[:, :1] * h0.unsqueeze(1) + b[:, :1]", new_b="A[:, shift:] * B[:, :-shift] + B[:, shift:]",
        new_a="A[:, shift:] * A[:, :-shift]", cond="shift < T", step="shift *= 2"):
    """The reference Hillis-Steele scan with one piece changed."""
    return _PS + f"""
    T = a.shape[1]
    A = a
    B = torch.cat([{fold}, b[:, 1:]], dim=1)
    shift = 1
    while {cond}:
        B = torch.cat([B[:, :shift], {new_b}], dim=1)
        A = torch.cat([A[:, :shift], {new_a}], dim=1)
        {step}
    return B
"""


WRONG = {
    "StreamingRNN": {
        # reset() keeps a zero state of the last batch size instead of None (a new stream with another N breaks)
        "reset_to_zeros": _STEPPER + """
    def reset(self):
        if isinstance(self.state, tuple):
            self.state = tuple(torch.zeros_like(t) for t in self.state)
        elif self.state is not None:
            self.state = torch.zeros_like(self.state)
""",
        # the stream forgets everything at every step
        "resets_every_step": _HEAD + """
    def step(self, x_t):
        with torch.no_grad():
            out, self.state = self.rnn(x_t.unsqueeze(1))
        return out[:, 0]
""",
        # right numbers, but every step extends an autograd graph
        "keeps_graph": _HEAD + """
    def step(self, x_t):
        out, self.state = self.rnn(x_t.unsqueeze(1), self.state)
        return out[:, 0]
""",
        # right numbers, but the whole history is stored and run again at every step
        "reruns_history": '''
class StreamingRNN:
    """Run a recurrent layer one step at a time."""

    def __init__(self, rnn):
        self.rnn = rnn
        self.state = None
        self.history = []

    def step(self, x_t):
        self.history.append(x_t)
        with torch.no_grad():
            out, self.state = self.rnn(torch.stack(self.history, 1))
        return out[:, -1]

    def reset(self):
        self.state = None
        self.history = []
''',
        # time-major unsqueeze: the batch is read as time
        "unsqueeze_wrong_axis": _HEAD + """
    def step(self, x_t):
        with torch.no_grad():
            out, self.state = self.rnn(x_t.unsqueeze(0), self.state)
        return out[0]
""",
        # reset() forgets nothing
        "reset_does_nothing": _STEPPER + """
    def reset(self):
        pass
""",
    },
    "state_bytes": {
        # counts the whole storage behind a view, not the state's own values
        "storage_bytes": '''import torch


def state_bytes(model):
    s = model.state
    if s is None:
        return 0
    tensors = [s] if torch.is_tensor(s) else list(s)
    return sum(t.untyped_storage().nbytes() for t in tensors)
''',
        "assumes_float32": _SB + """
    s = model.state
    if s is None:
        return 0
    ts = s if isinstance(s, (tuple, list)) else (s,)
    return sum(t.numel() * 4 for t in ts)
""",
        "ignores_cell_state": _SB + """
    s = model.state
    if s is None:
        return 0
    t = s[0] if isinstance(s, (tuple, list)) else s
    return t.numel() * t.element_size()
""",
        "counts_elements_not_bytes": _SB + """
    s = model.state
    if s is None:
        return 0
    ts = s if isinstance(s, (tuple, list)) else (s,)
    return sum(t.numel() for t in ts)
""",
        "ignores_batch": _SB + """
    s = model.state
    if s is None:
        return 0
    ts = s if isinstance(s, (tuple, list)) else (s,)
    return sum(t.shape[-1] * t.element_size() for t in ts)
""",
    },
    "kv_cache_bytes": {
        "keys_only": _KV + "    return T * layers * d_model * 4\n",
        "values_not_bytes": _KV + "    return 2 * T * layers * d_model\n",
        "quadratic_in_T": _KV + "    return 2 * T * T * layers * d_model * 4\n",
        "one_layer": _KV + "    return 2 * T * d_model * 4\n",
    },
    "quick_check": {
        "parallel": 'answer = "a"\n',
        "path_length": 'answer = "b"\n',
    },
    "linear_scan": {
        "h0_forgotten": _LS + """
    h = torch.zeros_like(h0)
    out = []
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        out.append(h)
    return torch.stack(out, 1)
""",
        # returns the state before each step: h0, h_0, ..., h_(T-2)
        "off_by_one_shift": _LS + """
    h = h0
    out = []
    for t in range(a.shape[1]):
        out.append(h)
        h = a[:, t] * h + b[:, t]
    return torch.stack(out, 1)
""",
        # a multiplies the new input instead of the old state
        "a_on_b": _LS + """
    h = h0
    out = []
    for t in range(a.shape[1]):
        h = h + a[:, t] * b[:, t]
        out.append(h)
    return torch.stack(out, 1)
""",
        # writes the states into b: the caller's tensor changes
        "in_place_on_b": _LS + """
    h = h0
    for t in range(a.shape[1]):
        b[:, t] = a[:, t] * h + b[:, t]
        h = b[:, t]
    return b
""",
        "last_state_only": _LS + """
    h = h0
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
    return h
""",
        # float32 accumulation whatever the input dtype
        "casts_to_float32": _LS + """
    h = h0.float()
    out = []
    for t in range(a.shape[1]):
        h = a[:, t].float() * h + b[:, t].float()
        out.append(h)
    return torch.stack(out, 1)
""",
    },
    "parallel_linear_scan": {
        "h0_forgotten": _hs(fold="b[:, :1]"),
        # (a1, b1) o (a2, b2) as (a1 a2, a1 b2 + b1): the later b scaled by the earlier a
        "combine_reversed": _hs(new_b="A[:, :-shift] * B[:, shift:] + B[:, :-shift]"),
        # the later a taken from the new, already updated A
        "a_updated_first": _PS + """
    T = a.shape[1]
    A = a
    B = torch.cat([a[:, :1] * h0.unsqueeze(1) + b[:, :1], b[:, 1:]], dim=1)
    shift = 1
    while shift < T:
        A = torch.cat([A[:, :shift], A[:, shift:] * A[:, :-shift]], dim=1)
        B = torch.cat([B[:, :shift], A[:, shift:] * B[:, :-shift] + B[:, shift:]], dim=1)
        shift *= 2
    return B
""",
        # one round too few: log2 rounded down misses the last positions when T is not a power of two
        "floor_log2_rounds": _hs(cond="2 * shift <= T"),
        # a plain loop over t: right numbers, T sequential steps
        "loop_over_t": _PS + """
    h = h0
    out = []
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        out.append(h)
    return torch.stack(out, 1)
""",
        # folds h0 in place into the caller's b
        "in_place_fold": _PS + """
    T = a.shape[1]
    b[:, 0] = a[:, 0] * h0 + b[:, 0]
    A, B = a, b
    shift = 1
    while shift < T:
        B = torch.cat([B[:, :shift], A[:, shift:] * B[:, :-shift] + B[:, shift:]], dim=1)
        A = torch.cat([A[:, :shift], A[:, shift:] * A[:, :-shift]], dim=1)
        shift *= 2
    return B
""",
        # cumulative products and sums: divides by products of a, which are 0 or underflow
        "cumprod_division": _PS + """
    P = torch.cumprod(a, dim=1)
    return P * (h0.unsqueeze(1) + torch.cumsum(b / P, dim=1))
""",
        # works for powers of two only: pads nothing and drops what does not fit
        "power_of_two_only": _PS + """
    T = a.shape[1]
    A = a
    B = torch.cat([a[:, :1] * h0.unsqueeze(1) + b[:, :1], b[:, 1:]], dim=1)
    shift = 1
    while shift < T:
        B = torch.cat([B[:, :shift], A[:, shift:] * B[:, :-shift] + B[:, shift:]], dim=1)
        A = torch.cat([A[:, :shift], A[:, shift:] * A[:, :-shift]], dim=1)
        shift *= 2
    if T & (T - 1):
        B = B[:, : 1 << (T.bit_length() - 1)]
    return B
""",
    },
    "followup_1": {
        "query_heads": "followup_1 = 2 * 32 * 32 * 128 * 8192 * 2\n",
        "keys_only": "followup_1 = 32 * 8 * 128 * 8192 * 2\n",
        "float32": "followup_1 = 2 * 32 * 8 * 128 * 8192 * 4\n",
    },
    "followup_2": {
        "floor": "followup_2 = 11\n",
        "steps": "followup_2 = 3000\n",
    },
    "followup_3": {
        "whole_stream": "followup_3 = 2 * 100_000 * 4 * 64 * 4\n",
        "one_layer": "followup_3 = 2 * 512 * 64 * 4\n",
    },
}

CORRECT = {
    "StreamingRNN": {
        # explicit zero state, detach instead of no_grad
        "zeros_and_detach": '''
class StreamingRNN:
    """Run a recurrent layer one step at a time."""

    def __init__(self, rnn):
        self.rnn = rnn
        self.state = None

    def reset(self):
        self.state = None

    def step(self, x_t):
        if self.state is None:
            h = x_t.new_zeros(1, x_t.shape[0], self.rnn.hidden_size)
            self.state = (h, h.clone()) if isinstance(self.rnn, torch.nn.LSTM) else h
        out, new = self.rnn(x_t[:, None, :], self.state)
        self.state = tuple(s.detach() for s in new) if isinstance(new, tuple) else new.detach()
        return out.squeeze(1).detach()
''',
        # keyword arguments and a step counter
        "keywords_and_counter": '''
class StreamingRNN:
    """Run a recurrent layer one step at a time."""

    def __init__(self, rnn):
        self.rnn = rnn
        self.state = None
        self.steps_seen = 0

    def step(self, x_t):
        with torch.no_grad():
            out, state = self.rnn(x_t.reshape(x_t.shape[0], 1, -1), self.state)
        self.state = state
        self.steps_seen += 1
        return out.reshape(x_t.shape[0], -1)

    def reset(self):
        self.state = None
        self.steps_seen = 0
''',
    },
    "state_bytes": {
        "via_numpy": _SB + """
    import numpy as np
    if model.state is None:
        return 0
    parts = model.state if isinstance(model.state, (tuple, list)) else [model.state]
    return int(np.sum([p.detach().cpu().numpy().nbytes for p in parts]))
""",
        "nelement_loop": _SB + """
    total = 0
    state = model.state
    if torch.is_tensor(state):
        state = [state]
    for t in state or []:
        total += t.nelement() * t.element_size()
    return total
""",
    },
    "kv_cache_bytes": {
        "finfo_bits": _KV + "    return 2 * T * layers * d_model * torch.finfo(torch.float32).bits // 8\n",
        "per_layer_sum": _KV + "    return sum(2 * d_model * 4 * T for _ in range(layers))\n",
    },
    "quick_check": {
        "upper_case_spaces": 'answer = " C "\n',
    },
    "linear_scan": {
        "preallocated_float64_ok": _LS + """
    out = torch.empty_like(b)
    h = h0.clone()
    for t in range(b.size(1)):
        h.mul_(a[:, t]).add_(b[:, t])
        out[:, t] = h
    return out
""",
        "time_major_loop": _LS + """
    at, bt = a.transpose(0, 1), b.transpose(0, 1)
    hs, h = [], h0
    for a_t, b_t in zip(at, bt):
        h = torch.addcmul(b_t, a_t, h)
        hs.append(h)
    return torch.stack(hs).transpose(0, 1).contiguous()
""",
    },
    "parallel_linear_scan": {
        # Hillis-Steele with padding by the identity element (a = 1, b = 0)
        "identity_padding": _PS + """
    import torch.nn.functional as F
    T = a.shape[1]
    A = a.clone()
    B = b.clone()
    B[:, 0] = a[:, 0] * h0 + b[:, 0]
    shift = 1
    while shift < T:
        A_prev = F.pad(A, (0, 0, shift, 0), value=1.0)[:, :T]
        B_prev = F.pad(B, (0, 0, shift, 0), value=0.0)[:, :T]
        A, B = A_prev * A, A * B_prev + B
        shift *= 2
    return B
""",
        # Blelloch: up-sweep and down-sweep on a power-of-two padded copy (2 log2 T rounds)
        "blelloch": _PS + """
    N, T, H = a.shape
    L = 1
    while L < T:
        L *= 2
    A = torch.ones(N, L, H, dtype=a.dtype)
    B = torch.zeros(N, L, H, dtype=b.dtype)
    A[:, :T] = a
    B[:, :T] = b
    B[:, 0] = a[:, 0] * h0 + b[:, 0]
    A0, B0 = A.clone(), B.clone()
    step = 1
    while step < L:                                  # up-sweep
        r = torch.arange(2 * step - 1, L, 2 * step)
        l = r - step
        B[:, r] = A[:, r] * B[:, l] + B[:, r]
        A[:, r] = A[:, l] * A[:, r]
        step *= 2
    A[:, L - 1], B[:, L - 1] = 1.0, 0.0              # exclusive scan: identity at the root
    step = L // 2
    while step >= 1:                                 # down-sweep
        r = torch.arange(2 * step - 1, L, 2 * step)
        l = r - step
        Al, Bl, Ar, Br = A[:, l].clone(), B[:, l].clone(), A[:, r].clone(), B[:, r].clone()
        A[:, l], B[:, l] = Ar, Br
        A[:, r], B[:, r] = Al * Ar, Al * Br + Bl
        step //= 2
    # exclusive prefix (A, B) at t, then the element itself
    return (A0 * B + B0)[:, :T]
""",
    },
    "followup_1": {"numpy_int": "import numpy as np\nfollowup_1 = np.int64(1) << 30\n"},
}

ROUNDTRIP_WRONG = ("kv_cache_bytes", "keys_only")


def check_experiment(E):
    import math

    import matplotlib.figure

    # the stacked stream gives the whole-sequence outputs
    assert E["stream_diff"] <= 1e-5, E["stream_diff"]
    # the RNN's carried memory is flat: layers x H float32 numbers, from the first step to the last
    assert set(E["rnn_bytes"]) == {E["layers"] * E["H"] * 4}, sorted(set(E["rnn_bytes"]))[:5]
    # the KV cache counted for real equals the formula, and grows linearly with the tokens read
    assert E["kv_measured"] == E["kv_formula"], (E["kv_measured"], E["kv_formula"])
    kv = E["kv_formula"]
    assert all(kv[T] == kv[1] * T for T in kv), kv
    # like with like (same depth, width H = d_model): the ratio is 2T
    assert E["H"] == E["d_model"]
    assert kv[2000] == 2 * 2000 * E["rnn_bytes"][-1], (kv[2000], E["rnn_bytes"][-1])
    for times in E["step_times"].values():
        assert all(0 < t < 1 for t in times.values()), times
    # the two scans agree; the loop dispatches O(T) operations, the scan O(log T)
    rows = E["scan"]
    assert [r["T"] for r in rows][-1] >= 1024
    for r in rows:
        assert r["max_diff"] < 1e-4, r
        assert r["depth_loop"] == r["T"] and r["depth_scan"] == math.ceil(math.log2(r["T"])), r
        assert r["calls_loop"] >= r["T"], r
        assert r["calls_scan"] <= 32 * (r["depth_scan"] + 2), r
        assert r["seconds_loop"] > 0 and r["seconds_scan"] > 0
    assert set(E["figures"]) == {"memory", "scan"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in E["figures"].values())
