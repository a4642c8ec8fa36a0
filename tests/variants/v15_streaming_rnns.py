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
}

ROUNDTRIP_WRONG = ("kv_cache_bytes", "keys_only")


def check_experiment(E):
    import matplotlib.figure

    # the stream gives the whole-sequence outputs
    assert E["stream_diff"] <= 1e-5, E["stream_diff"]
    # the RNN's carried memory is flat: H float32 numbers, from the first step to the last
    assert set(E["rnn_bytes"]) == {E["H"] * 4}, sorted(set(E["rnn_bytes"]))[:5]
    # the KV cache counted for real equals the formula, and grows linearly with the tokens read
    assert E["kv_measured"] == E["kv_formula"], (E["kv_measured"], E["kv_formula"])
    kv = E["kv_formula"]
    assert all(kv[T] == kv[1] * T for T in kv), kv
    assert kv[2000] > 1000 * E["rnn_bytes"][-1]
    for times in E["step_times"].values():
        assert all(0 < t < 1 for t in times.values()), times
    assert set(E["figures"]) == {"memory"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in E["figures"].values())
