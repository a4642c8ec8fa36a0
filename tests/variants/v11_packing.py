"""Variants for solutions/11_packing.ipynb: realistic mistakes, other correct solutions, the experiment."""

STEM = "11_packing"

_PAD_SIG = '''def pad_batch(seqs, pad_value):
    """Right-pad a list of sequences; returns (padded, lengths)."""
'''
_MASK_SIG = '''def length_mask(lengths, T):
    """(N, T) bool mask, True where t < lengths[n]."""
'''
_LOSS_SIG = '''def masked_mean_loss(loss, mask):
    """Mean of loss over the real positions of the batch."""
'''
_LAST_SIG = '''def last_valid_state(outputs, lengths):
    """(N, H): outputs[n, lengths[n] - 1]."""
'''
_BUCKET_SIG = '''def bucket_by_length(lengths, batch_size):
    """Batches of indices with similar lengths."""
'''

_SIZES_SIG = '''def packed_batch_sizes(lengths):
    """batch_sizes of a PackedSequence: entry t counts lengths > t."""
'''
_PRNN_SIG = '''def packed_rnn(cell, padded, lengths):
    """An RNNCell stepped over the packed layout; returns (outputs, last_states)."""
'''
# the reference loop, with one line to change per mistake
_PRNN_BODY = '''    lengths = torch.as_tensor(lengths, dtype=torch.int64)
    N, T, _ = padded.shape
    order = torch.argsort(lengths, descending=True)
    x = padded[order]
    Ls = lengths[order]
    h = padded.new_zeros(N, cell.hidden_size)
    steps = []
    for t in range(int(Ls.max())):
        B = int((Ls > t).sum())
        h_t = cell(x[:B, t], h[:B])
        steps.append(torch.cat([h_t, h_t.new_zeros(N - B, h_t.shape[1])]))
        h = torch.cat([h_t, h[B:]])
    out = torch.stack(steps, dim=1)
    out = torch.cat([out, out.new_zeros(N, T - out.shape[1], out.shape[2])], dim=1)
    unsort = torch.argsort(order)
    return out[unsort], h[unsort]
'''


def _prnn(old="", new=""):
    assert old in _PRNN_BODY
    return _PRNN_SIG + _PRNN_BODY.replace(old, new)


WRONG = {
    "pad_batch": {
        "sorts_by_length": _PAD_SIG + '''    seqs = sorted(seqs, key=len, reverse=True)
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    padded = seqs[0].new_full((len(seqs), int(lengths.max())) + tuple(seqs[0].shape[1:]), pad_value)
    for i, s in enumerate(seqs):
        padded[i, :len(s)] = s
    return padded, lengths
''',
        "left_padding": _PAD_SIG + '''    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    T = int(lengths.max())
    padded = seqs[0].new_full((len(seqs), T) + tuple(seqs[0].shape[1:]), pad_value)
    for i, s in enumerate(seqs):
        padded[i, T - len(s):] = s
    return padded, lengths
''',
        "lengths_as_list": _PAD_SIG + '''    lengths = [len(s) for s in seqs]
    padded = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=pad_value)
    return padded, lengths
''',
        "lengths_float": _PAD_SIG + '''    lengths = torch.tensor([float(len(s)) for s in seqs])
    padded = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=pad_value)
    return padded, lengths
''',
        "ignores_pad_value": _PAD_SIG + '''    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    padded = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True)
    return padded, lengths
''',
        "float_buffer_for_tokens": _PAD_SIG + '''    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    padded = torch.full((len(seqs), int(lengths.max())) + tuple(seqs[0].shape[1:]), float(pad_value))
    for i, s in enumerate(seqs):
        padded[i, :len(s)] = s
    return padded, lengths
''',
    },
    "length_mask": {
        "le_instead_of_lt": _MASK_SIG + '''    return torch.arange(T)[None, :] <= lengths[:, None]
''',
        "float_mask": _MASK_SIG + '''    return (torch.arange(T)[None, :] < lengths[:, None]).float()
''',
        "ignores_T": _MASK_SIG + '''    T_max = int(lengths.max())
    return torch.arange(T_max)[None, :] < lengths[:, None]
''',
        "left_padded_mask": _MASK_SIG + '''    return torch.arange(T)[None, :] >= (T - lengths)[:, None]
''',
        "transposed": _MASK_SIG + '''    return torch.arange(T)[:, None] < lengths[None, :]
''',
    },
    "masked_mean_loss": {
        "mean_over_all_positions": _LOSS_SIG + '''    return loss.mean()
''',
        "divides_by_N_times_T": _LOSS_SIG + '''    return (loss * mask).sum() / loss.numel()
''',
        "mean_of_sequence_means": _LOSS_SIG + '''    m = mask.to(loss.dtype)
    return ((loss * m).sum(dim=1) / m.sum(dim=1)).mean()
''',
        "masked_mean_of_product": _LOSS_SIG + '''    return (loss * mask).mean()
''',
        "item_breaks_backward": _LOSS_SIG + '''    return float(loss[mask].mean().item())
''',
        "sum_not_mean": _LOSS_SIG + '''    return loss[mask].sum()
''',
    },
    "last_valid_state": {
        # copies into a float32 torch.zeros(N, H) buffer: wrong dtype, float64 values rounded
        "float32_buffer": '''import torch


def last_valid_state(outputs, lengths):
    N, T, H = outputs.shape
    result = torch.zeros(N, H)
    for n in range(N):
        result[n] = outputs[n, int(lengths[n]) - 1]
    return result
''',
        "index_length_not_length_minus_1": _LAST_SIG + '''    idx = lengths.clamp(max=outputs.shape[1] - 1)
    return outputs[torch.arange(outputs.shape[0]), idx]
''',
        "index_length_raw": _LAST_SIG + '''    return outputs[torch.arange(outputs.shape[0]), lengths]
''',
        "always_last_step": _LAST_SIG + '''    return outputs[:, -1]
''',
        "sorted_order_not_restored": _LAST_SIG + '''    order = torch.argsort(lengths, descending=True)
    return outputs[order, lengths[order] - 1]
''',
        # torch.gather with lengths instead of lengths - 1: RuntimeError for a full-length row (issue #14)
        "gather_off_by_one": _LAST_SIG + '''    N, T, H = outputs.shape
    idx = lengths.long().view(N, 1, 1).expand(N, 1, H)
    return outputs.gather(1, idx).squeeze(1)
''',
        "gather_wrong_axis": _LAST_SIG + '''    N, T, H = outputs.shape
    idx = (lengths - 1).view(N, 1, 1).expand(N, 1, H)
    return outputs.gather(2, idx).squeeze(1)
''',
        "detached": _LAST_SIG + '''    return outputs.detach()[torch.arange(outputs.shape[0]), lengths - 1]
''',
    },
    "bucket_by_length": {
        "no_sort": _BUCKET_SIG + '''    idx = list(range(len(lengths)))
    return [idx[k:k + batch_size] for k in range(0, len(idx), batch_size)]
''',
        "drops_last_partial_batch": _BUCKET_SIG + '''    order = torch.argsort(lengths).tolist()
    return [order[k:k + batch_size] for k in range(0, len(order) - batch_size + 1, batch_size)]
''',
        "overlapping_windows_duplicate": _BUCKET_SIG + '''    order = torch.argsort(lengths).tolist()
    return [order[k:k + batch_size] for k in range(0, len(order), max(1, batch_size - 1))]
''',
        "exceeds_batch_size": _BUCKET_SIG + '''    order = torch.argsort(lengths).tolist()
    return [order[k:k + batch_size + 1] for k in range(0, len(order), batch_size + 1)]
''',
        "strided_round_robin": _BUCKET_SIG + '''    order = torch.argsort(lengths).tolist()
    nb = -(-len(order) // batch_size)
    return [order[k::nb] for k in range(nb)]
''',
        "returns_lengths_not_indices": _BUCKET_SIG + '''    vals = sorted(int(x) for x in lengths)
    return [vals[k:k + batch_size] for k in range(0, len(vals), batch_size)]
''',
        "one_index_per_batch": _BUCKET_SIG + '''    return [[i] for i in torch.argsort(lengths).tolist()]
''',
        "sorts_in_place": _BUCKET_SIG + '''    order = torch.argsort(lengths).tolist()
    lengths.copy_(lengths.sort().values)
    return [order[k:k + batch_size] for k in range(0, len(order), batch_size)]
''',
    },
    "packed_batch_sizes": {
        "returns_list": _SIZES_SIG + '''    return [int((lengths > t).sum()) for t in range(int(lengths.max()))]
''',
        "sorted_lengths_not_counts": _SIZES_SIG + '''    return torch.sort(lengths, descending=True).values
''',
        "ge_instead_of_gt": _SIZES_SIG + '''    return torch.stack([(lengths >= t).sum() for t in range(int(lengths.max()))])
''',
        "one_step_too_many": _SIZES_SIG + '''    return torch.stack([(lengths > t).sum() for t in range(int(lengths.max()) + 1)])
''',
        # the first index whose length is <= t: right only when lengths are sorted descending
        "assumes_sorted": _SIZES_SIG + '''    L = lengths.tolist()
    return torch.tensor([next((i for i, v in enumerate(L) if v <= t), len(L)) for t in range(max(L))])
''',
        "int32": _SIZES_SIG + '''    return (lengths[None, :] > torch.arange(int(lengths.max()))[:, None]).sum(1).to(torch.int32)
''',
        "histogram_not_cumulative": _SIZES_SIG + '''    return torch.bincount(lengths - 1)
''',
        "sorts_in_place": _SIZES_SIG + '''    lengths.copy_(lengths.sort(descending=True).values)
    return (lengths[None, :] > torch.arange(int(lengths.max()))[:, None]).sum(1)
''',
    },
    "packed_rnn": {
        # the batch is taken as already sorted: the first B rows are not the running ones
        "unsorted_lengths_not_sorted": _prnn("    order = torch.argsort(lengths, descending=True)\n",
                                             "    order = torch.arange(len(lengths))\n"),
        # a row still steps at t == L: one pad read, one output too many
        "off_by_one_length": _prnn("B = int((Ls > t).sum())", "B = min(N, int((Ls >= t).sum()))"),
        # every row steps at every time step, pads included (then last states read at L - 1)
        "not_zero_padded": _PRNN_SIG + '''    N, T, _ = padded.shape
    h, outs = None, []
    for t in range(T):
        h = cell(padded[:, t], h)
        outs.append(h)
    out = torch.stack(outs, dim=1)
    return out, out[torch.arange(N), lengths - 1]
''',
        # the same loop, pads masked to zero afterwards: values right, but the cell computes every pad
        "masks_instead_of_packing": _PRNN_SIG + '''    N, T, _ = padded.shape
    h, outs = None, []
    for t in range(T):
        h = cell(padded[:, t], h)
        outs.append(h)
    out = torch.stack(outs, dim=1)
    mask = (torch.arange(T)[None, :] < lengths[:, None]).unsqueeze(-1)
    return out * mask, out[torch.arange(N), lengths - 1]
''',
        "last_state_at_padded_end": _prnn("    return out[unsort], h[unsort]\n",
                                          "    return out[unsort], out[unsort][:, -1]\n"),
        "order_not_restored": _prnn("    return out[unsort], h[unsort]\n", "    return out, h\n"),
        "last_states_not_unsorted": _prnn("    return out[unsort], h[unsort]\n", "    return out[unsort], h\n"),
        # the unsort indexed with the sort order itself
        "unsort_with_order": _prnn("    unsort = torch.argsort(order)\n", "    unsort = order\n"),
        # pad_packed_sequence without total_length: (N, L_max, H)
        "no_total_length": _prnn("    out = torch.cat([out, out.new_zeros(N, T - out.shape[1], out.shape[2])], dim=1)\n", ""),
        # the cell's formula written out with tanh: wrong for a ReLU cell
        "hardcodes_tanh": _prnn("        h_t = cell(x[:B, t], h[:B])\n",
                                "        h_t = torch.tanh(x[:B, t] @ cell.weight_ih.T + cell.bias_ih + h[:B] @ cell.weight_hh.T + cell.bias_hh)\n"),
        "detached": _prnn("    return out[unsort], h[unsort]\n", "    return out[unsort].detach(), h[unsort].detach()\n"),
    },
    "quick_check": {
        "sorted_order": 'answer = "a"\n',
        "runs_over_pads": 'answer = "c"\n',
    },
    "quick_check_pads": {
        "real_fraction": "pad_fraction = (2 + 6 + 3 + 5) / (4 * 6)\n",
        "pads_counted_once": "pad_fraction = 4 / 24\n",
    },
}

CORRECT = {
    "pad_batch": {
        "pad_sequence": _PAD_SIG + '''    padded = torch.nn.utils.rnn.pad_sequence(list(seqs), batch_first=True, padding_value=pad_value)
    return padded, torch.tensor([s.shape[0] for s in seqs]).long()
''',
        "cat_pads_per_row": _PAD_SIG + '''    T = max(s.shape[0] for s in seqs)
    rows = []
    for s in seqs:
        pad = torch.full((T - s.shape[0],) + tuple(s.shape[1:]), pad_value, dtype=s.dtype)
        rows.append(torch.cat([s, pad], dim=0))
    return torch.stack(rows), torch.as_tensor([len(s) for s in seqs], dtype=torch.int64)
''',
    },
    "length_mask": {
        "loop_over_rows": _MASK_SIG + '''    lengths = list(int(L) for L in lengths)
    mask = torch.zeros(len(lengths), T, dtype=torch.bool)
    for n, L in enumerate(lengths):
        mask[n, :L] = True
    return mask
''',
        "int32_and_expand": _MASK_SIG + '''    L = torch.as_tensor(lengths).to(torch.int32)
    t = torch.arange(T, dtype=torch.int32).expand(L.shape[0], T)
    return t.lt(L.unsqueeze(1))
''',
    },
    "masked_mean_loss": {
        "boolean_indexing": _LOSS_SIG + '''    return loss[mask].mean()
''',
        "multiply_and_count": _LOSS_SIG + '''    m = mask.float()
    return (loss * m).sum() / m.sum()
''',
        "masked_fill": _LOSS_SIG + '''    return loss.masked_fill(~mask, 0).sum() / mask.sum().clamp(min=1)
''',
    },
    "last_valid_state": {
        "gather": _LAST_SIG + '''    N, T, H = outputs.shape
    idx = (lengths.long() - 1).view(N, 1, 1).expand(N, 1, H)
    return outputs.gather(1, idx).squeeze(1)
''',
        "loop": _LAST_SIG + '''    return torch.stack([outputs[n, int(L) - 1] for n, L in enumerate(lengths)])
''',
        "int32_index": _LAST_SIG + '''    return outputs[torch.arange(outputs.shape[0]), (lengths - 1).to(torch.int32)]
''',
        "sort_then_unsort": _LAST_SIG + '''    order = torch.argsort(lengths, descending=True)
    picked = outputs[order, lengths[order] - 1]
    return picked[torch.argsort(order)]
''',
        "one_hot_sum": _LAST_SIG + '''    sel = torch.nn.functional.one_hot(lengths - 1, outputs.shape[1]).to(outputs.dtype)
    return (sel.unsqueeze(-1) * outputs).sum(dim=1)
''',
    },
    "bucket_by_length": {
        "descending_numpy_ints": _BUCKET_SIG + '''    order = np.argsort(-np.asarray(lengths), kind="stable")
    return [list(order[k:k + batch_size]) for k in range(0, len(order), batch_size)]
''',
        "tensor_chunks_shuffled": _BUCKET_SIG + '''    order = torch.argsort(torch.as_tensor(lengths))
    chunks = list(torch.split(order, batch_size))
    g = torch.Generator().manual_seed(0)
    return [chunks[i] for i in torch.randperm(len(chunks), generator=g).tolist()]
''',
        "python_sorted_partial_first": _BUCKET_SIG + '''    L = [int(x) for x in lengths]
    order = sorted(range(len(L)), key=lambda i: L[i])
    first = len(order) % batch_size or batch_size
    out = [order[:first]]
    for k in range(first, len(order), batch_size):
        out.append(order[k:k + batch_size])
    return out
''',
        "balanced_sizes": _BUCKET_SIG + '''    order = torch.argsort(lengths).tolist()
    nb = -(-len(order) // batch_size)
    return [chunk.tolist() for chunk in torch.tensor_split(torch.tensor(order), nb)]
''',
        "random_ties_shuffled_inside": _BUCKET_SIG + '''    g = torch.Generator().manual_seed(1)
    noise = torch.rand(len(lengths), generator=g)
    order = sorted(range(len(lengths)), key=lambda i: (int(lengths[i]), float(noise[i])))
    out = [order[k:k + batch_size] for k in range(0, len(order), batch_size)]
    return [b[::-1] for b in out]
''',
    },
    "packed_batch_sizes": {
        "bincount_cumsum": _SIZES_SIG + '''    counts = torch.bincount(lengths)[1:]
    return counts.flip(0).cumsum(0).flip(0)
''',
        "python_loop": _SIZES_SIG + '''    L = [int(v) for v in lengths]
    return torch.tensor([sum(1 for v in L if v > t) for t in range(max(L))], dtype=torch.long)
''',
        "via_pack_padded_sequence": _SIZES_SIG + '''    x = torch.zeros(len(lengths), int(lengths.max()), 1)
    return torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False).batch_sizes
''',
    },
    "packed_rnn": {
        # torch's own packing for the layout, the cell stepped over PackedSequence.data
        "over_packed_data": _PRNN_SIG + '''    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, PackedSequence
    packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
    h = packed.data.new_zeros(int(packed.batch_sizes[0]), cell.hidden_size)
    outs, start = [], 0
    for B in packed.batch_sizes.tolist():
        h_t = cell(packed.data[start:start + B], h[:B])
        outs.append(h_t)
        h = torch.cat([h_t, h[B:]])
        start += B
    out_packed = PackedSequence(torch.cat(outs), packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)
    out, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=padded.shape[1])
    return out, h[packed.unsorted_indices]
''',
        # one sequence at a time, one row per call: no pad is ever computed either
        "one_sequence_at_a_time": _PRNN_SIG + '''    N, T, _ = padded.shape
    outs, lasts = [], []
    for n in range(N):
        h, rows = None, []
        for t in range(int(lengths[n])):
            h = cell(padded[n:n + 1, t], h)
            rows.append(h[0])
        seq = torch.stack(rows)
        outs.append(torch.cat([seq, seq.new_zeros(T - len(rows), seq.shape[1])]))
        lasts.append(h[0])
    return torch.stack(outs), torch.stack(lasts)
''',
        # ascending sort, running rows at the end, in-place writes into a zeros buffer, float64 lengths math
        "ascending_in_place": _PRNN_SIG + '''    N, T, _ = padded.shape
    order = torch.argsort(lengths)                       # shortest first: running rows are the LAST ones
    x, Ls = padded[order], lengths[order]
    out = padded.new_zeros(N, T, cell.hidden_size)
    last = padded.new_zeros(N, cell.hidden_size)
    h = padded.new_zeros(N, cell.hidden_size)
    for t in range(int(Ls.max())):
        start = int((Ls <= t).sum())
        h = torch.cat([h[:start], cell(x[start:, t], h[start:])])
        out[start:, t] = h[start:]
    last = h
    inv = torch.empty_like(order)
    inv[order] = torch.arange(N)
    return out[inv], last[inv]
''',
    },
    "quick_check_pads": {
        "fraction_literal": "pad_fraction = 8 / 24\n",
        "numpy_float": "pad_fraction = np.float64(1 / 3)\n",
    },
}

# A deliberately wrong function whose failure costs exactly its own points (nbgrader round trip).
ROUNDTRIP_WRONG = ("length_mask", "le_instead_of_lt")


def check_experiment(E):
    errs = E["state_errors"]
    lens = E["lengths"]
    longest = lens.index(max(lens))
    naive = errs["padded run, h_n"]
    # the plain padded run is right only for the longest sequence
    assert naive[longest] < 1e-12, naive
    assert all(e > 1e-3 for i, e in enumerate(naive) if i != longest), naive
    # packing and last_valid_state match the one-by-one runs
    assert E["packed_max_error"] < 1e-6, E["packed_max_error"]
    assert E["last_valid_max_error"] < 1e-6, E["last_valid_max_error"]
    # sorting by hand without undoing it puts states in the wrong rows; undoing it fixes them
    assert E["forgot_unsort_max_error"] > 1e-3, E["forgot_unsort_max_error"]
    assert E["unsorted_max_error"] < 1e-6, E["unsorted_max_error"]
    # masked loss matches the reference, the plain mean does not
    assert E["loss_masked_error"] < 1e-9, E["loss_masked_error"]
    assert E["loss_naive_error"] > 1e-3, E["loss_naive_error"]
    # bucketing clearly reduces the wasted share of padded steps, at every batch size
    assert E["waste_random"] > 0.3, E["waste_random"]
    assert E["waste_bucketed"] < 0.5 * E["waste_random"], (E["waste_bucketed"], E["waste_random"])
    for bs, row in E["waste_table"].items():
        assert row["bucketed"] < row["random"], (bs, row)
    # a packed batch computes exactly the real steps; padded tensors compute more
    s = E["steps"]
    assert s["random, packed"] == s["bucketed, packed"] == E["real_steps"], s
    assert s["random, padded"] > s["bucketed, padded"] > E["real_steps"], s
    assert E["figure"] is not None
    # your packed_rnn is pack_padded_sequence + nn.RNN, and its loop is the packed one
    assert E["packed_rnn_diff"]["outputs"] < 1e-10 and E["packed_rnn_diff"]["last_states"] < 1e-10, E["packed_rnn_diff"]
    assert E["batch_sizes_mine"] == E["batch_sizes_torch"], (E["batch_sizes_mine"], E["batch_sizes_torch"])
    assert E["packed_loop_steps"] == max(lens) == len(E["batch_sizes_torch"])
    assert E["packed_loop_rows"] == sum(lens) < E["padded_loop_rows"], (E["packed_loop_rows"], E["padded_loop_rows"])


# Version 2: the follow-up checks of 'What the interviewer asks next'.
WRONG.update({
    'followup_1': {'pads_not_masked': 'followup_1 = float(torch.softmax(torch.tensor([1.0, 2.0, 0.0, 5.0]), 0)[1])\n', 'masked_to_zero_not_inf': 'followup_1 = float(torch.softmax(torch.tensor([1.0, 2.0, 0.0, 0.0]), 0)[1])\n'},
    'followup_2': {'our_mask': 'followup_2 = "a"\n', 'float_mask': 'followup_2 = "c"\n'},
})
CORRECT.update({
    'followup_1': {'closed_form': 'followup_1 = math.exp(2) / (math.exp(1) + math.exp(2))\n'},
})
