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

_ATT_HEAD = '''
class AttentionDecoder(nn.Module):
    """GRU decoder with dot-product attention over the encoder outputs."""

    def __init__(self, vocab_size, emb_dim, hidden_size):
        super().__init__()
'''

_ATT = _ATT_HEAD + '''        self.embed = nn.Embedding(vocab_size, emb_dim)
        self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)
        self.out = nn.Linear(2 * hidden_size, vocab_size)

    def forward(self, tokens, h, enc_outputs, src_mask):
        states, h_new = self.rnn(self.embed(tokens), h)
'''


def _att(body):
    """An AttentionDecoder whose forward continues after `states, h_new = ...` with body."""
    return _ATT + body


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
    "AttentionDecoder": {
        # softmax across the decoder steps instead of the source positions
        "softmax_over_decoder_steps": _att('''        scores = (states @ enc_outputs.transpose(1, 2)).masked_fill(~src_mask[:, None, :], float("-inf"))
        w = scores.softmax(dim=1)
        self.attn = w
        return self.out(torch.cat([states, w @ enc_outputs], dim=-1)), h_new
'''),
        "softmax_over_batch": _att('''        scores = (states @ enc_outputs.transpose(1, 2)).masked_fill(~src_mask[:, None, :], float("-inf"))
        w = scores.softmax(dim=0)
        self.attn = w
        return self.out(torch.cat([states, w @ enc_outputs], dim=-1)), h_new
'''),
        "mask_not_applied": _att('''        w = (states @ enc_outputs.transpose(1, 2)).softmax(dim=-1)
        self.attn = w
        return self.out(torch.cat([states, w @ enc_outputs], dim=-1)), h_new
'''),
        # True read as padding
        "mask_inverted": _att('''        scores = (states @ enc_outputs.transpose(1, 2)).masked_fill(src_mask[:, None, :], float("-inf"))
        w = torch.nan_to_num(scores.softmax(dim=-1))
        self.attn = w
        return self.out(torch.cat([states, w @ enc_outputs], dim=-1)), h_new
'''),
        # zeroes the padded weights after the softmax without renormalising
        "mask_after_softmax_no_renorm": _att('''        w = (states @ enc_outputs.transpose(1, 2)).softmax(dim=-1) * src_mask[:, None, :]
        self.attn = w
        return self.out(torch.cat([states, w @ enc_outputs], dim=-1)), h_new
'''),
        # attends over the decoder's own states (self-attention), not the encoder's
        "attends_decoder_states": _att('''        w = (states @ states.transpose(1, 2)).softmax(dim=-1)
        self.attn = w
        return self.out(torch.cat([states, w @ states], dim=-1)), h_new
'''),
        # the context is computed but the output layer reads the state twice
        "context_not_fed": _att('''        scores = (states @ enc_outputs.transpose(1, 2)).masked_fill(~src_mask[:, None, :], float("-inf"))
        w = scores.softmax(dim=-1)
        self.attn = w
        context = w @ enc_outputs
        return self.out(torch.cat([states, states], dim=-1)), h_new
'''),
        # attention on the context vector only (the last encoder state), same for every step
        "last_encoder_state_only": _att('''        scores = (states @ enc_outputs.transpose(1, 2)).masked_fill(~src_mask[:, None, :], float("-inf"))
        w = scores.softmax(dim=-1)
        self.attn = w
        context = enc_outputs[:, -1:].expand_as(states)
        return self.out(torch.cat([states, context], dim=-1)), h_new
'''),
        "scaled_scores": _att('''        scores = (states @ enc_outputs.transpose(1, 2)) / states.shape[-1] ** 0.5
        w = scores.masked_fill(~src_mask[:, None, :], float("-inf")).softmax(dim=-1)
        self.attn = w
        return self.out(torch.cat([states, w @ enc_outputs], dim=-1)), h_new
'''),
        "concat_swapped": _att('''        scores = (states @ enc_outputs.transpose(1, 2)).masked_fill(~src_mask[:, None, :], float("-inf"))
        w = scores.softmax(dim=-1)
        self.attn = w
        return self.out(torch.cat([w @ enc_outputs, states], dim=-1)), h_new
'''),
        # the query is the state BEFORE the step (the incoming h), the same for every step
        "query_is_incoming_h": _att('''        q = h[-1][:, None, :].expand_as(states)
        scores = (q @ enc_outputs.transpose(1, 2)).masked_fill(~src_mask[:, None, :], float("-inf"))
        w = scores.softmax(dim=-1)
        self.attn = w
        return self.out(torch.cat([states, w @ enc_outputs], dim=-1)), h_new
'''),
        "encoder_detached": _att('''        enc = enc_outputs.detach()
        scores = (states @ enc.transpose(1, 2)).masked_fill(~src_mask[:, None, :], float("-inf"))
        w = scores.softmax(dim=-1)
        self.attn = w
        return self.out(torch.cat([states, w @ enc], dim=-1)), h_new
'''),
        # the GRU starts from zeros: the context vector is ignored
        "ignores_h": _ATT_HEAD + '''        self.embed = nn.Embedding(vocab_size, emb_dim)
        self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)
        self.out = nn.Linear(2 * hidden_size, vocab_size)

    def forward(self, tokens, h, enc_outputs, src_mask):
        states, h_new = self.rnn(self.embed(tokens))
        w = (states @ enc_outputs.transpose(1, 2)).masked_fill(~src_mask[:, None, :], float("-inf")).softmax(-1)
        self.attn = w
        return self.out(torch.cat([states, w @ enc_outputs], dim=-1)), h_new
''',
        # the context fed into the GRU (Bahdanau-style input feeding) instead of the spec's output layer
        "context_into_gru_input": _ATT_HEAD + '''        self.embed = nn.Embedding(vocab_size, emb_dim)
        self.rnn = nn.GRU(emb_dim + hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(2 * hidden_size, vocab_size)

    def forward(self, tokens, h, enc_outputs, src_mask):
        logits, ws = [], []
        for t in range(tokens.shape[1]):
            q = h[-1]
            sc = torch.einsum("nh,nsh->ns", q, enc_outputs).masked_fill(~src_mask, float("-inf"))
            w = sc.softmax(-1)
            c = torch.einsum("ns,nsh->nh", w, enc_outputs)
            o, h = self.rnn(torch.cat([self.embed(tokens[:, t]), c], -1)[:, None], h)
            logits.append(self.out(torch.cat([o[:, 0], c], -1)))
            ws.append(w)
        self.attn = torch.stack(ws, 1)
        return torch.stack(logits, 1), h
''',
    },
    "followup_1": {
        # beam search taken as greedy (k = 1)
        "beam_equals_greedy": "followup_1 = (0.3, 0.3)\n",
        # the best first token's probability instead of the sequence's
        "first_step_only": "followup_1 = (0.6, 0.4)\n",
        "swapped": "followup_1 = (0.36, 0.3)\n",
        "list_not_tuple": "followup_1 = [0.3, 0.36]\n",
    },
    "followup_2": {
        "T_S_swapped": "followup_2 = (8, 20, 25)\n",
        "no_batch_axis": "followup_2 = (25, 20)\n",
        "self_attention_shape": "followup_2 = (8, 25, 25)\n",
    },
    "quick_check": {
        "attention": 'answer = "a"\n',
        "source_tokens": 'answer = "c"\n',
    },
}

CORRECT = {
    "followup_1": {
        "computed": "followup_1 = (max(0.6 * 0.5, 0.6 * 0.5), max(0.6 * 0.5, 0.4 * 0.9))\n",
    },
    "followup_2": {
        "from_a_tensor": "followup_2 = tuple(torch.zeros(8, 25, 20).shape)\n",
    },
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
    "AttentionDecoder": {
        "einsum_minus_1e9": _att('''        scores = torch.einsum("nth,nsh->nts", states, enc_outputs)
        scores = scores.masked_fill(src_mask[:, None, :] == 0, -1e9)
        self.attn = torch.softmax(scores, dim=2)
        context = torch.einsum("nts,nsh->nth", self.attn, enc_outputs)
        return self.out(torch.cat((states, context), 2)), h_new
'''),
        # one decoder step at a time, bmm, torch.where for the mask
        "step_loop_bmm": _ATT_HEAD + '''        self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)
        self.embed = nn.Embedding(vocab_size, emb_dim)
        self.out = nn.Linear(hidden_size * 2, vocab_size)

    def forward(self, tokens, h, enc_outputs, src_mask):
        logits, ws = [], []
        neg = torch.tensor(float("-inf"))
        for t in range(tokens.shape[1]):
            s_t, h = self.rnn(self.embed(tokens[:, t:t + 1]), h)
            sc = torch.bmm(s_t, enc_outputs.transpose(1, 2))
            sc = torch.where(src_mask.unsqueeze(1), sc, neg)
            w = F.softmax(sc, dim=-1)
            logits.append(self.out(torch.cat([s_t, torch.bmm(w, enc_outputs)], dim=-1)))
            ws.append(w)
        self.attn = torch.cat(ws, dim=1)
        return torch.cat(logits, dim=1), h
''',
        # softmax, then zero the padding and renormalise (the same weights), float64 inside
        "renormalised_float64": _att('''        sc = (states.double() @ enc_outputs.double().transpose(1, 2))
        sc = sc - sc.masked_fill(~src_mask[:, None, :], float("-inf")).amax(-1, keepdim=True)
        e = sc.exp() * src_mask[:, None, :]
        w = e / e.sum(-1, keepdim=True)
        self.attn = w.float()
        ctx = (w @ enc_outputs.double()).float()
        return F.linear(torch.cat([states, ctx], -1), self.out.weight, self.out.bias), h_new
'''),
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
    plain, att = E["seq_acc"]["plain"], E["seq_acc"]["attention"]
    # both models learn: short sequences are reversed almost perfectly
    assert plain[0] >= 0.95 and att[0] >= 0.95, (plain, att)
    assert E["final_loss"]["plain"] < 0.5 and E["final_loss"]["attention"] < 0.2, E["final_loss"]
    # without attention: a steep fall with the length (the context-vector bottleneck)
    assert E["acc_short"] >= 0.75, E["acc_short"]
    assert E["acc_long"] <= 0.1, E["acc_long"]
    assert E["tok_short"] - E["tok_long"] >= 0.3, (E["tok_short"], E["tok_long"])
    assert all(b <= a + 0.05 for a, b in zip(plain, plain[1:])), plain
    # with attention: far better at every length above 4, and the gap is large at the long end
    assert all(a >= p - 0.02 for a, p in zip(att, plain)), (att, plain)
    assert all(a >= p + 0.1 for a, p, n in zip(att, plain, L) if n >= 6), (att, plain)
    assert att[-1] >= plain[-1] + 0.3 and sum(att) > sum(plain) + 2.0, (att, plain)
    assert E["tok_acc"]["attention"][-1] > E["tok_acc"]["plain"][-1] + 0.2, E["tok_acc"]
    # the attention weights follow the source backwards (the anti-diagonal), sharply
    peaks = E["attn_peaks"]
    assert all(b <= a for a, b in zip(peaks, peaks[1:])) and peaks[0] >= 6 and peaks[-1] <= 2, peaks
    assert E["attn_peak_weight"] > 0.7, E["attn_peak_weight"]
    figs = E["figures"]
    assert set(figs) == {"bottleneck"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs.values())
