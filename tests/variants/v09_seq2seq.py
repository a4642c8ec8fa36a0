"""Wrong and alternative-correct implementations for solutions/09_seq2seq.ipynb."""

STEM = "09_seq2seq"

_ENC_HEAD = '''
class Encoder(nn.Module):
    """GRU encoder: (N, S) tokens -> (outputs (N, S, H), h (1, N, H))."""

    def __init__(self, vocab_size, emb_dim, hidden_size):
        super().__init__()
'''

_ENC = _ENC_HEAD + '''        self.embed = nn.Embedding(vocab_size, emb_dim)
        self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)

    def forward(self, src):
'''

_DEC_HEAD = '''
class Decoder(nn.Module):
    """GRU decoder: (tokens (N, T), h (1, N, H)) -> (logits (N, T, V), h_new (1, N, H))."""

    def __init__(self, vocab_size, emb_dim, hidden_size):
        super().__init__()
'''

_DEC = _DEC_HEAD + '''        self.embed = nn.Embedding(vocab_size, emb_dim)
        self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens, h):
'''

_GREEDY = '''
def greedy_decode(encoder, decoder, src, bos, eos, max_len):
    """Greedy decoding: feed back the argmax, stop at eos (every row) or max_len."""
'''

WRONG = {
    "Encoder": {
        # h without its layer axis: (N, H)
        "h_without_layer_axis": _ENC + '''        outputs, h = self.rnn(self.embed(src))
        return outputs, h[0]
''',
        "outputs_and_h_swapped": _ENC + '''        outputs, h = self.rnn(self.embed(src))
        return h, outputs
''',
        # the GRU reads the batch axis as time
        "not_batch_first": _ENC_HEAD + '''        self.embed = nn.Embedding(vocab_size, emb_dim)
        self.rnn = nn.GRU(emb_dim, hidden_size)

    def forward(self, src):
        outputs, h = self.rnn(self.embed(src))
        return outputs, h
''',
        # the context is the state after the first token
        "first_state_as_context": _ENC + '''        outputs, _ = self.rnn(self.embed(src))
        return outputs, outputs[:, :1].transpose(0, 1).contiguous()
''',
        # reads the source backwards (a trick from the literature, not what the interface asks)
        "reversed_source": _ENC + '''        outputs, h = self.rnn(self.embed(src.flip(1)))
        return outputs, h
''',
        # a random initial state instead of zeros
        "random_initial_state": _ENC + '''        h0 = torch.randn(1, src.shape[0], self.rnn.hidden_size)
        return self.rnn(self.embed(src), h0)
''',
        # the context is cut from the graph: the encoder could never be trained
        "detached_context": _ENC + '''        outputs, h = self.rnn(self.embed(src))
        return outputs, h.detach()
''',
    },
    "Decoder": {
        # the GRU starts from zeros: the context is ignored
        "ignores_h": _DEC + '''        states, h_new = self.rnn(self.embed(tokens))
        return self.out(states), h_new
''',
        "softmax_output": _DEC + '''        states, h_new = self.rnn(self.embed(tokens), h)
        return self.out(states).softmax(dim=-1), h_new
''',
        "log_softmax_output": _DEC + '''        states, h_new = self.rnn(self.embed(tokens), h)
        return torch.log_softmax(self.out(states), dim=-1), h_new
''',
        # returns the state it was given
        "returns_incoming_h": _DEC + '''        states, _ = self.rnn(self.embed(tokens), h)
        return self.out(states), h
''',
        # scores only the last step
        "last_step_only": _DEC + '''        states, h_new = self.rnn(self.embed(tokens), h)
        return self.out(h_new[-1]), h_new
''',
        # re-starts from the same h at every step instead of threading the state
        "same_h_every_step": _DEC + '''        logits, h_new = [], h
        for t in range(tokens.shape[1]):
            states, h_new = self.rnn(self.embed(tokens[:, t:t + 1]), h)
            logits.append(self.out(states))
        return torch.cat(logits, dim=1), h_new
''',
        "no_output_bias": _DEC_HEAD + '''        self.embed = nn.Embedding(vocab_size, emb_dim)
        self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size, bias=False)

    def forward(self, tokens, h):
        states, h_new = self.rnn(self.embed(tokens), h)
        return self.out(states), h_new
''',
    },
    "greedy_decode": {
        # runs max_len steps, then trims and fills: the right tokens, but it never stops at eos
        # (the spec: greedy_decode stops at EOS; decoding past it wastes a decoder call per step)
        "decode_then_trim": _GREEDY + '''    with torch.no_grad():
        _, h = encoder(src)
        token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        steps = []
        for _ in range(max_len):
            logits, h = decoder(token, h)
            token = logits.argmax(-1)[:, -1:]
            steps.append(token)
        out = torch.cat(steps, dim=1)
        is_eos = out == eos
        after = (is_eos.long().cumsum(dim=1) > 0)
        out = out.masked_fill(after, eos)
        has = is_eos.any(dim=1)
        first = torch.where(has, is_eos.long().argmax(dim=1) + 1, torch.full_like(has, max_len, dtype=torch.long))
        return out[:, :int(first.max())].long()
''',
        # never stops early: always max_len tokens
        "runs_past_eos": _GREEDY + '''    with torch.no_grad():
        _, h = encoder(src)
        token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = []
        for _ in range(max_len):
            logits, h = decoder(token, h)
            token = logits[:, -1].argmax(-1, keepdim=True)
            token[done] = eos
            out.append(token)
            done |= token[:, 0] == eos
        return torch.cat(out, dim=1)
''',
        # one step too many
        "max_len_off_by_one": _GREEDY + '''    with torch.no_grad():
        _, h = encoder(src)
        token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = []
        while len(out) <= max_len:
            logits, h = decoder(token, h)
            token = logits[:, -1].argmax(-1, keepdim=True)
            token[done] = eos
            out.append(token)
            done |= token[:, 0] == eos
            if done.all():
                break
        return torch.cat(out, dim=1)
''',
        # feeds bos at every step instead of its own prediction
        "feeds_bos_every_step": _GREEDY + '''    with torch.no_grad():
        _, h = encoder(src)
        start = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = []
        for _ in range(max_len):
            logits, h = decoder(start, h)
            token = logits[:, -1].argmax(-1, keepdim=True)
            token[done] = eos
            out.append(token)
            done |= token[:, 0] == eos
            if done.all():
                break
        return torch.cat(out, dim=1)
''',
        # feeds the source tokens (as if they were the reference) instead of its own prediction
        "feeds_source_tokens": _GREEDY + '''    with torch.no_grad():
        _, h = encoder(src)
        token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = []
        for t in range(max_len):
            logits, h = decoder(token, h)
            pred = logits[:, -1].argmax(-1, keepdim=True)
            pred[done] = eos
            out.append(pred)
            done |= pred[:, 0] == eos
            if done.all():
                break
            token = src[:, min(t, src.shape[1] - 1)].unsqueeze(1)
        return torch.cat(out, dim=1)
''',
        # the decoder's new state is dropped: every step restarts from the context
        "hidden_not_carried": _GREEDY + '''    with torch.no_grad():
        _, h = encoder(src)
        token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = []
        for _ in range(max_len):
            logits, _ = decoder(token, h)
            token = logits[:, -1].argmax(-1, keepdim=True)
            token[done] = eos
            out.append(token)
            done |= token[:, 0] == eos
            if done.all():
                break
        return torch.cat(out, dim=1)
''',
        # the decoder starts from zeros instead of the context
        "zero_context": _GREEDY + '''    with torch.no_grad():
        _, ctx = encoder(src)
        h = torch.zeros_like(ctx)
        token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = []
        for _ in range(max_len):
            logits, h = decoder(token, h)
            token = logits[:, -1].argmax(-1, keepdim=True)
            token[done] = eos
            out.append(token)
            done |= token[:, 0] == eos
            if done.all():
                break
        return torch.cat(out, dim=1)
''',
        "bos_in_output": _GREEDY + '''    with torch.no_grad():
        _, h = encoder(src)
        token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = [token]
        for _ in range(max_len):
            logits, h = decoder(token, h)
            token = logits[:, -1].argmax(-1, keepdim=True)
            token[done] = eos
            out.append(token)
            done |= token[:, 0] == eos
            if done.all():
                break
        return torch.cat(out, dim=1)
''',
        # stops as soon as the first row is done
        "stops_when_first_row_ends": _GREEDY + '''    with torch.no_grad():
        _, h = encoder(src)
        token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = []
        for _ in range(max_len):
            logits, h = decoder(token, h)
            token = logits[:, -1].argmax(-1, keepdim=True)
            token[done] = eos
            out.append(token)
            done |= token[:, 0] == eos
            if done[0]:
                break
        return torch.cat(out, dim=1)
''',
        # stops when any row is done
        "stops_when_any_row_ends": _GREEDY + '''    with torch.no_grad():
        _, h = encoder(src)
        token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        out = []
        for _ in range(max_len):
            logits, h = decoder(token, h)
            token = logits[:, -1].argmax(-1, keepdim=True)
            out.append(token)
            if (token == eos).any():
                break
        return torch.cat(out, dim=1)
''',
        # finished rows keep the decoder's later tokens instead of eos
        "no_eos_fill": _GREEDY + '''    with torch.no_grad():
        _, h = encoder(src)
        token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = []
        for _ in range(max_len):
            logits, h = decoder(token, h)
            token = logits[:, -1].argmax(-1, keepdim=True)
            out.append(token)
            done |= token[:, 0] == eos
            if done.all():
                break
        return torch.cat(out, dim=1)
''',
        # stops before recording the eos step
        "eos_dropped": _GREEDY + '''    with torch.no_grad():
        _, h = encoder(src)
        token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = []
        for _ in range(max_len):
            logits, h = decoder(token, h)
            token = logits[:, -1].argmax(-1, keepdim=True)
            token[done] = eos
            done |= token[:, 0] == eos
            if done.all():
                break
            out.append(token)
        if not out:
            return torch.zeros(src.shape[0], 0, dtype=torch.long)
        return torch.cat(out, dim=1)
''',
        # correct tokens, but a graph is built at every step
        "no_no_grad": _GREEDY + '''    _, h = encoder(src)
    token = torch.full((src.shape[0], 1), bos, dtype=torch.long)
    done = torch.zeros(src.shape[0], dtype=torch.bool)
    out = []
    for _ in range(max_len):
        logits, h = decoder(token, h)
        token = logits[:, -1].argmax(-1, keepdim=True)
        token[done] = eos
        out.append(token)
        done |= token[:, 0] == eos
        if done.all():
            break
    return torch.cat(out, dim=1)
''',
    },
    "quick_check": {
        "attention": 'answer = "a"\n',
        "source_tokens": 'answer = "c"\n',
    },
}

CORRECT = {
    "Encoder": {
        "explicit_zero_state": _ENC + '''        N = src.shape[0]
        h0 = torch.zeros(1, N, self.rnn.hidden_size)
        outputs, h = self.rnn(self.embed(src), h0)
        return outputs, h
''',
        # one token at a time; the context rebuilt from the last output
        "step_by_step": _ENC + '''        h, states = None, []
        for t in range(src.shape[1]):
            o, h = self.rnn(self.embed(src[:, t:t + 1]), h)
            states.append(o)
        outputs = torch.cat(states, dim=1)
        return outputs, outputs[:, -1].unsqueeze(0)
''',
        "embedding_first_then_gru_with_kwargs": _ENC_HEAD + '''        self.rnn = nn.GRU(input_size=emb_dim, hidden_size=hidden_size, num_layers=1, batch_first=True)
        self.embed = nn.Embedding(num_embeddings=vocab_size, embedding_dim=emb_dim)

    def forward(self, src):
        x = self.embed(src)
        out, last = self.rnn(x)
        return out, last
''',
    },
    "Decoder": {
        "step_by_step": _DEC + '''        logits = []
        for t in range(tokens.shape[1]):
            states, h = self.rnn(self.embed(tokens[:, t:t + 1]), h)
            logits.append(self.out(states))
        return torch.cat(logits, dim=1), h
''',
        "functional_head": _DEC + '''        x = F.embedding(tokens, self.embed.weight)
        states, h_new = self.rnn(x, h.contiguous())
        return F.linear(states, self.out.weight, self.out.bias), h_new
''',
    },
    "greedy_decode": {
        # re-runs the whole prefix from the context at every step (quadratic, but the same tokens)
        "rerun_prefix": _GREEDY + '''    with torch.no_grad():
        _, context = encoder(src)
        N = src.shape[0]
        prefix = torch.full((N, 1), bos, dtype=torch.long)
        done = torch.zeros(N, dtype=torch.bool)
        for _ in range(max_len):
            logits, _ = decoder(prefix, context)
            nxt = torch.where(done, torch.full((N,), eos), logits[:, -1].argmax(-1))
            prefix = torch.cat([prefix, nxt[:, None]], dim=1)
            done = done | (nxt == eos)
            if bool(done.all()):
                break
        return prefix[:, 1:]
''',
        # python lists per row, inference mode
        "per_row_lists": _GREEDY + '''    with torch.inference_mode():
        _, h = encoder(src)
        N = src.shape[0]
        rows = [[] for _ in range(N)]
        token = torch.full((N, 1), bos, dtype=torch.long)
        while len(rows[0]) < max_len:
            logits, h = decoder(token, h)
            pred = logits[:, 0].argmax(dim=1)
            for i in range(N):
                finished = len(rows[i]) > 0 and rows[i][-1] == eos
                rows[i].append(eos if finished else int(pred[i]))
            token = torch.tensor([[r[-1]] for r in rows], dtype=torch.long)
            if all(eos in r for r in rows):
                break
        return torch.tensor(rows, dtype=torch.long)
''',
    },
}

# a wrong function whose failure must cost only its own test cell in the nbgrader round trip
ROUNDTRIP_WRONG = ("greedy_decode", "runs_past_eos")


def check_experiment(E):
    import matplotlib.figure

    L = E["lengths"]
    assert L[0] <= 5 <= L[-1] and L[-1] >= 10, L
    big = E["seq_acc"][48]
    small = E["seq_acc"][16]
    # the stated accuracy at a short length
    assert E["acc_short"] >= 0.8, E["acc_short"]
    assert big[0] >= 0.95, big
    # a clear drop at the longest length (the context-vector bottleneck)
    assert E["acc_long"] <= 0.3, E["acc_long"]
    assert E["acc_short"] - E["acc_long"] >= 0.5, (E["acc_short"], E["acc_long"])
    assert E["tok_short"] - E["tok_long"] >= 0.2, (E["tok_short"], E["tok_long"])
    # the fall is (almost) monotone in the length
    assert all(b <= a + 0.05 for a, b in zip(big, big[1:])), big
    # a smaller context fails sooner
    assert sum(small) < sum(big) - 1.0, (small, big)
    assert all(s <= b + 0.05 for s, b in zip(small, big)), (small, big)
    figs = E["figures"]
    assert set(figs) == {"bottleneck"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs.values())
