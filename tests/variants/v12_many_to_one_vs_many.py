"""Wrong and alternative-correct implementations for solutions/12_many_to_one_vs_many.ipynb."""

STEM = "12_many_to_one_vs_many"

_M2O_HEAD = '''
class ManyToOne(torch.nn.Module):
    """Classify a whole sequence from the last hidden state of a shared RNN."""

    def __init__(self, rnn, num_classes):
        super().__init__()
'''

_M2O_SHARED_INIT = _M2O_HEAD + '''        self.rnn = rnn
        self.head = torch.nn.Linear(rnn.hidden_size, num_classes)

    def forward(self, x):
'''

_M2M_HEAD = '''
class ManyToMany(torch.nn.Module):
    """Tag every step of a sequence from the states of a shared RNN."""

    def __init__(self, rnn, num_tags):
        super().__init__()
'''

_M2M_SHARED_INIT = _M2M_HEAD + '''        self.rnn = rnn
        self.head = torch.nn.Linear(rnn.hidden_size, num_tags)

    def forward(self, x):
'''

_TASKS = '''
def task_shape(name):
    """The shape of a sequence task."""
    shapes = {
        "sentiment analysis": "many-to-one",
        "spam detection": "many-to-one",
        "video classification": "many-to-one",
        "part-of-speech tagging": "many-to-many",
        "named-entity recognition": "many-to-many",
        "speech recognition": "many-to-many",
        "machine translation": "many-to-many",
        "video captioning": "many-to-many",
        "image captioning": "one-to-many",
    }
'''

_LOOKUP = '''    key = " ".join(str(name).lower().split())
    if key not in shapes:
        raise ValueError(name)
    return shapes[key]
'''

WRONG = {
    "ManyToOne": {
        "first_state": _M2O_SHARED_INIT + '''        output, _ = self.rnn(x)
        return self.head(output[:, 0])
''',
        "mean_pooling": _M2O_SHARED_INIT + '''        output, _ = self.rnn(x)
        return self.head(output.mean(dim=1))
''',
        "own_rnn": _M2O_HEAD + '''        self.rnn = torch.nn.RNN(rnn.input_size, rnn.hidden_size, batch_first=True)
        self.head = torch.nn.Linear(rnn.hidden_size, num_classes)

    def forward(self, x):
        output, _ = self.rnn(x)
        return self.head(output[:, -1])
''',
        "deep_copied_rnn": _M2O_HEAD + '''        import copy
        self.rnn = copy.deepcopy(rnn)
        self.head = torch.nn.Linear(rnn.hidden_size, num_classes)

    def forward(self, x):
        output, _ = self.rnn(x)
        return self.head(output[:, -1])
''',
        "softmax_output": _M2O_SHARED_INIT + '''        output, _ = self.rnn(x)
        return torch.softmax(self.head(output[:, -1]), dim=-1)
''',
        "every_step": _M2O_SHARED_INIT + '''        output, _ = self.rnn(x)
        return self.head(output)
''',
        "detached_body": _M2O_SHARED_INIT + '''        output, _ = self.rnn(x)
        return self.head(output[:, -1].detach())
''',
    },
    "ManyToMany": {
        "last_step_only": _M2M_SHARED_INIT + '''        output, _ = self.rnn(x)
        return self.head(output[:, -1])
''',
        "own_rnn": _M2M_HEAD + '''        self.rnn = torch.nn.RNN(rnn.input_size, rnn.hidden_size, batch_first=True)
        self.head = torch.nn.Linear(rnn.hidden_size, num_tags)

    def forward(self, x):
        output, _ = self.rnn(x)
        return self.head(output)
''',
        "permuted_for_loss": _M2M_SHARED_INIT + '''        output, _ = self.rnn(x)
        return self.head(output).permute(0, 2, 1)
''',
        "final_state_repeated": _M2M_SHARED_INIT + '''        output, h_n = self.rnn(x)
        return self.head(h_n[-1]).unsqueeze(1).expand(-1, x.shape[1], -1)
''',
        "log_softmax_output": _M2M_SHARED_INIT + '''        output, _ = self.rnn(x)
        return torch.log_softmax(self.head(output), dim=-1)
''',
        "not_registered": _M2M_HEAD + '''        self._body = [rnn]            # a plain list hides the RNN from parameters()
        self.head = torch.nn.Linear(rnn.hidden_size, num_tags)

    @property
    def rnn(self):
        return self._body[0]

    def forward(self, x):
        output, _ = self.rnn(x)
        return self.head(output)
''',
    },
    "task_shape": {
        "translation_one_to_many": _TASKS + '''    shapes["machine translation"] = "one-to-many"
''' + _LOOKUP,
        "captioning_many_to_one": _TASKS + '''    shapes["image captioning"] = "many-to-one"
''' + _LOOKUP,
        "ner_many_to_one": _TASKS + '''    shapes["named-entity recognition"] = "many-to-one"
''' + _LOOKUP,
        "video_captioning_many_to_one": _TASKS + '''    shapes["video captioning"] = "many-to-one"
''' + _LOOKUP,
        "case_sensitive": _TASKS + '''    return shapes[name.strip()]
''',
        "spaces_not_hyphens": _TASKS + '''    key = " ".join(str(name).lower().split())
    return shapes[key].replace("-", " ")
''',
        "unknown_returns_none": _TASKS + '''    return shapes.get(" ".join(str(name).lower().split()))
''',
    },
}

CORRECT = {
    "ManyToOne": {
        # the final state from h_n, the module registered with add_module
        "h_n_last_layer": _M2O_HEAD + '''        self.add_module("rnn", rnn)
        self.head = torch.nn.Linear(rnn.hidden_size, num_classes)

    def forward(self, x):
        _, h_n = self.rnn(x)
        return self.head(h_n[-1])
''',
        "h_n_squeeze": _M2O_SHARED_INIT + '''        h_last = self.rnn(x)[1].squeeze(0)
        return self.head(h_last)
''',
        "select_matmul": _M2O_SHARED_INIT + '''        states = self.rnn(x)[0]
        last = states.select(1, states.shape[1] - 1)
        return last @ self.head.weight.T + self.head.bias
''',
    },
    "ManyToMany": {
        "loop_over_steps": _M2M_SHARED_INIT + '''        output, _ = self.rnn(x)
        return torch.stack([self.head(output[:, t]) for t in range(output.shape[1])], dim=1)
''',
        "reshape_flat": _M2M_SHARED_INIT + '''        output = self.rnn(x)[0]
        N, T, H = output.shape
        return self.head(output.reshape(N * T, H)).reshape(N, T, -1)
''',
    },
    "task_shape": {
        "if_chain": '''
def task_shape(name):
    """The shape of a sequence task."""
    n = " ".join(name.split()).lower()
    if n in {"sentiment analysis", "spam detection", "video classification"}:
        return "many-to-one"
    if n in {"part-of-speech tagging", "named-entity recognition", "speech recognition",
             "machine translation", "video captioning"}:
        return "many-to-many"
    if n == "image captioning":
        return "one-to-many"
    raise ValueError("unknown task: " + name)
''',
    },
}

# a wrong function whose failure must cost only its own test cell in the nbgrader round trip
ROUNDTRIP_WRONG = ("ManyToOne", "first_state")


def check_experiment(E):
    import matplotlib.figure

    # both heads far above chance, on one shared body
    assert E["acc_many_to_one"] >= 0.95, E["acc_many_to_one"]
    assert E["acc_many_to_many"] >= 0.95, E["acc_many_to_many"]
    assert E["chance_many_to_one"] <= 0.6 and E["chance_many_to_many"] <= 0.6, E
    assert E["shared_body"] is True
    assert E["params_model"] == E["params_body"] + E["params_heads"], E
    for name, hist in E["loss_history"].items():
        assert hist[-1] < hist[0] / 3, (name, hist)
    assert isinstance(E["figures"]["training"], matplotlib.figure.Figure)


# Version 2: the follow-up checks of 'What the interviewer asks next'.
WRONG.update({
    'followup_1': {'no_blank': 'followup_1 = 5\n', 'blank_everywhere': 'followup_1 = 11\n'},
    'followup_2': {'batch_first': 'followup_2 = (4, 50, 28)\n', 'no_blank': 'followup_2 = (50, 4, 27)\n'},
})
CORRECT.update({
    'followup_1': {'numpy_int': 'followup_1 = np.int64(6)\n'},
})
