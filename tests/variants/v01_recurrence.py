"""Wrong and alternative-correct implementations for solutions/01_recurrence.ipynb."""

STEM = "01_recurrence"

_DOC_SCAN = '''
def rnn_scan(step, h0, xs):
    """Apply h_t = step(h_{t-1}, x_t) for t = 1..T and return every state."""
'''

_DOC_COUNT = '''
def count_parameters(D, H):
    """Number of parameters of a vanilla RNN cell with input size D and hidden size H."""
'''

_DOC_COUNTER = '''
def counter_weights():
    """Weights (Wx, Wh, b) of a 1-unit linear RNN that counts the 1s."""
'''

WRONG = {
    "rnn_scan": {
        "returns_list": _DOC_SCAN + """
    h, states = h0, []
    for x_t in xs:
        h = step(h, x_t)
        states.append(h)
    return states
""",
        "includes_h0": _DOC_SCAN + """
    h, states = h0, [h0]
    for x_t in xs:
        h = step(h, x_t)
        states.append(h)
    return np.stack(states)
""",
        "drops_last_state": _DOC_SCAN + """
    h, states = h0, []
    for x_t in xs:
        states.append(h)
        h = step(h, x_t)
    return np.stack(states)
""",
        "swapped_arguments": _DOC_SCAN + """
    h, states = h0, []
    for x_t in xs:
        h = step(x_t, h)
        states.append(h)
    return np.stack(states)
""",
        "state_not_carried": _DOC_SCAN + """
    return np.stack([step(h0, x_t) for x_t in xs])
""",
        "aliased_in_place_state": _DOC_SCAN + """
    h = np.array(h0, dtype=float)
    states = []
    for x_t in xs:
        h[:] = step(h, x_t)
        states.append(h)
    return np.stack(states)
""",
        "mutates_h0": _DOC_SCAN + """
    h = h0
    out = np.zeros((len(xs), len(h0)))
    for t in range(len(xs)):
        h[:] = step(h, xs[t])
        out[t] = h
    return out
""",
        "overwrites_one_row": _DOC_SCAN + """
    out = np.zeros((len(xs), len(h0)))
    h = h0
    for t in range(len(xs)):
        h = step(h, xs[t])
        out[0] = h
    return out
""",
        "time_on_columns": _DOC_SCAN + """
    h, states = h0, []
    for x_t in xs:
        h = step(h, x_t)
        states.append(h)
    return np.stack(states, axis=1)
""",
        "calls_step_twice": _DOC_SCAN + """
    h, states = h0, []
    for x_t in xs:
        states.append(step(h, x_t))
        h = step(h, x_t)
    return np.stack(states)
""",
        "buffer_shaped_like_inputs": _DOC_SCAN + """
    out = np.zeros_like(xs, dtype=float)
    h = h0
    for t in range(len(xs)):
        h = step(h, xs[t])
        out[t] = h
    return out
""",
    },
    "count_parameters": {
        "two_biases": _DOC_COUNT + "    return D * H + H * H + 2 * H\n",
        "no_bias": _DOC_COUNT + "    return D * H + H * H\n",
        "input_matrix_square": _DOC_COUNT + "    return D * D + H * H + H\n",
        "recurrent_matrix_as_DH": _DOC_COUNT + "    return 2 * D * H + H\n",
        "times_sequence_length": _DOC_COUNT + "    return T_demo * (D * H + H * H + H)\n",
        "adds_output_layer": _DOC_COUNT + "    return D * H + H * H + H + H * D + D\n",
    },
    "counter_weights": {
        "leaky_short_memory": _DOC_COUNTER + """
    return np.array([[1.0]]), np.array([[0.9999]]), np.zeros(1)
""",
        "no_memory": _DOC_COUNTER + """
    return np.array([[1.0]]), np.array([[0.0]]), np.zeros(1)
""",
        "counts_time_steps": _DOC_COUNTER + """
    return np.array([[0.0]]), np.array([[1.0]]), np.ones(1)
""",
        "bias_drift": _DOC_COUNTER + """
    return np.array([[1.0]]), np.array([[1.0]]), np.array([1e-4])
""",
        "almost_one_short_streams_only": _DOC_COUNTER + """
    return np.array([[1.0]]), np.array([[1.0 - 1e-9]]), np.zeros(1)
""",
        "flat_shapes": _DOC_COUNTER + """
    return np.array([1.0]), np.array([1.0]), np.array([0.0])
""",
        "returns_list": _DOC_COUNTER + """
    return [np.array([[1.0]]), np.array([[1.0]]), np.zeros(1)]
""",        # nested Python lists: right shapes and values, not numpy arrays (issue #14)
        "nested_lists": _DOC_COUNTER + """
    return [[1.0]], [[1.0]], [0.0]
""",
        "tuples_of_floats": _DOC_COUNTER + """
    return ((1.0,),), ((1.0,),), (0.0,)
""",
    },
    "quick_check": {
        "a": 'answer = "a"\n',
        "c": 'answer = "c"\n',
        "d": 'answer = "d"\n',
    },
}

CORRECT = {
    "rnn_scan": {
        "preallocated": _DOC_SCAN + """
    out = None
    h = h0
    for t in range(xs.shape[0]):
        h = step(h, xs[t])
        if out is None:
            out = np.empty((xs.shape[0],) + np.shape(h), dtype=np.result_type(h))
        out[t] = h
    return out
""",
        "accumulate": _DOC_SCAN + """
    import itertools
    return np.array(list(itertools.accumulate(xs, step, initial=h0))[1:])
""",
        "float32_inputs": _DOC_SCAN + """
    xs = np.asarray(xs, dtype=np.float32)
    h = np.asarray(h0, dtype=np.float32)
    states = []
    for t in range(len(xs)):
        h = step(h, xs[t])
        states.append(np.asarray(h, dtype=np.float32))
    return np.array(states)
""",
        "recursive": _DOC_SCAN + """
    if len(xs) == 1:
        return step(h0, xs[0])[None]
    first = step(h0, xs[0])
    return np.concatenate([first[None], rnn_scan(step, first, xs[1:])])
""",
    },
    "count_parameters": {
        "factored": _DOC_COUNT + "    return H * (D + H + 1)\n",
        "numpy_int": _DOC_COUNT + "    return np.int64(D) * H + np.int64(H) ** 2 + H\n",
        "from_shapes": _DOC_COUNT + """
    shapes = [(D, H), (H, H), (H,)]
    return sum(int(np.prod(s)) for s in shapes)
""",
    },
    "counter_weights": {
        "eye": _DOC_COUNTER + "    return np.eye(1), np.eye(1), np.zeros(1)\n",
        "float32": _DOC_COUNTER + """
    return (np.ones((1, 1), dtype=np.float32), np.ones((1, 1), dtype=np.float32),
            np.zeros(1, dtype=np.float32))
""",
        "integers": _DOC_COUNTER + "    return np.array([[1]]), np.array([[1]]), np.array([0])\n",
    },
    "quick_check": {
        "upper_case": 'answer = "B"\n',
    },
}

# A wrong implementation whose failure costs only its own test cell (no other test calls it).
ROUNDTRIP_WRONG = ("count_parameters", "two_biases")


def check_experiment(E):
    assert E["lengths"] == [5, 50, 500]
    # the hand-set counter is exact at every length, with the same three parameters
    assert set(E["max_error"]) == {5, 50, 500}
    assert all(err < 1e-9 for err in E["max_error"].values()), E["max_error"]
    assert E["counter_parameters"] == 3
    # a leaky state forgets: far from the count, close to p / (1 - W_h) = 5
    assert E["leaky_final_error_T500"] > 100, E
    assert 1.0 < E["leaky_final_state_T500"] < 10.0, E


# Version 2: the follow-up checks of 'What the interviewer asks next'.
WRONG.update({
    'followup_1': {'no_h0': 'followup_1 = 8 * 32 + 32 * 32 + 32\n', 'string': 'followup_1 = "1344"\n'},
    'followup_2': {'layer2_reads_D': 'followup_2 = 2 * (8 * 32 + 32 * 32 + 32)\n', 'float': 'followup_2 = 3392.5\n'},
})
CORRECT.update({
    'followup_1': {'numpy_int': 'followup_1 = np.int64(1344)\n'},
})
