"""Wrong and alternative-correct implementations for solutions/04_truncated_bptt.ipynb."""

STEM = "04_truncated_bptt"

_DOC_SPLIT = '''
def split_chunks(seq, k):
    """Cut seq (N, T, ...) along time into chunks of k steps; the last one may be shorter."""
'''

_DOC_EPOCH = '''
def tbptt_epoch(model, seq, k, optimizer):
    """One epoch of truncated BPTT; returns the mean chunk loss as a float."""
'''

_CHECK_K = """
    if k < 1:
        raise ValueError("k must be >= 1")
"""

WRONG = {
    "split_chunks": {
        # the shorter last chunk is dropped
        "drop_last_partial": _DOC_SPLIT + _CHECK_K + """
    T = seq.shape[1]
    return [seq[:, s:s + k] for s in range(0, T - k + 1, k)]
""",
        # split the batch instead of time
        "batch_dim": _DOC_SPLIT + _CHECK_K + """
    return list(torch.split(seq, k, dim=0))
""",
        # off by one: each chunk takes one step of the next
        "overlapping": _DOC_SPLIT + _CHECK_K + """
    T = seq.shape[1]
    return [seq[:, s:s + k + 1] for s in range(0, T, k)]
""",
        # k chunks instead of chunks of k steps
        "torch_chunk": _DOC_SPLIT + _CHECK_K + """
    return list(torch.chunk(seq, k, dim=1))
""",
        "last_dim": _DOC_SPLIT + _CHECK_K + """
    return list(torch.split(seq, k, dim=-1))
""",
        # no check of k: torch raises a RuntimeError, not a ValueError
        "no_value_error": _DOC_SPLIT + """
    return list(torch.split(seq, k, dim=1))
""",
        # right pieces, but the graph is cut
        "detached_chunks": _DOC_SPLIT + _CHECK_K + """
    return [c.detach() for c in torch.split(seq, k, dim=1)]
""",
    },
    "tbptt_epoch": {
        # the graph of the previous chunk stays attached: backward through a freed graph
        "no_detach": _DOC_EPOCH + """
    x, y = seq
    h, losses = None, []
    for xc, yc in zip(split_chunks(x, k), split_chunks(y, k)):
        out, h = model(xc, h)
        loss = model.loss(out, yc)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)
""",
        # no detach, and retain_graph to silence the first error: the step has changed the weights the
        # old graph saved, so the next backward raises an in-place modification error
        "retain_graph_no_detach": _DOC_EPOCH + """
    x, y = seq
    h, losses = None, []
    for xc, yc in zip(split_chunks(x, k), split_chunks(y, k)):
        out, h = model(xc, h)
        loss = model.loss(out, yc)
        optimizer.zero_grad()
        loss.backward(retain_graph=True)
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)
""",
        # the state is detached at every step: the window is effectively one step
        "detach_every_step": _DOC_EPOCH + """
    x, y = seq
    h, losses = None, []
    for xc, yc in zip(split_chunks(x, k), split_chunks(y, k)):
        outs = []
        for t in range(xc.shape[1]):
            o, h = model(xc[:, t:t + 1], h)
            h = h.detach()
            outs.append(o)
        loss = model.loss(torch.cat(outs, dim=1), yc)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)
""",
        # the state is thrown away at every chunk
        "reset_state_each_chunk": _DOC_EPOCH + """
    x, y = seq
    losses = []
    for xc, yc in zip(split_chunks(x, k), split_chunks(y, k)):
        out, _ = model(xc, None)
        loss = model.loss(out, yc)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)
""",
        # gradients accumulate across chunks
        "no_zero_grad": _DOC_EPOCH + """
    x, y = seq
    h, losses = None, []
    for xc, yc in zip(split_chunks(x, k), split_chunks(y, k)):
        out, h = model(xc, h)
        loss = model.loss(out, yc)
        loss.backward()
        optimizer.step()
        h = h.detach()
        losses.append(loss.item())
    return sum(losses) / len(losses)
""",
        # the gradients are cleared between backward and step: nothing is learnt
        "zero_grad_before_step": _DOC_EPOCH + """
    x, y = seq
    h, losses = None, []
    for xc, yc in zip(split_chunks(x, k), split_chunks(y, k)):
        out, h = model(xc, h)
        loss = model.loss(out, yc)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        h = h.detach()
        losses.append(loss.item())
    return sum(losses) / len(losses)
""",
        # k chunks instead of chunks of k steps, written inside tbptt_epoch (T=7, k=3 cannot tell)
        "torch_chunk_inline": _DOC_EPOCH + """
    x, y = seq
    h, losses = None, []
    for xc, yc in zip(torch.chunk(x, k, dim=1), torch.chunk(y, k, dim=1)):
        out, h = model(xc, h)
        loss = model.loss(out, yc)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        h = h.detach()
        losses.append(loss.item())
    return sum(losses) / len(losses)
""",
        # no detach, retain_graph and one step at the end: it runs, but every backward goes through the
        # whole history (full BPTT per chunk loss) and there is one update per epoch
        "retain_graph_step_at_end": _DOC_EPOCH + """
    x, y = seq
    h, losses = None, []
    optimizer.zero_grad()
    for xc, yc in zip(split_chunks(x, k), split_chunks(y, k)):
        out, h = model(xc, h)
        loss = model.loss(out, yc)
        loss.backward(retain_graph=True)
        losses.append(loss.item())
    optimizer.step()
    return sum(losses) / len(losses)
""",
        "drop_last_partial_chunk": _DOC_EPOCH + """
    x, y = seq
    h, losses = None, []
    for i in range(x.shape[1] // k):
        out, h = model(x[:, i * k:(i + 1) * k], h)
        loss = model.loss(out, y[:, i * k:(i + 1) * k])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        h = h.detach()
        losses.append(loss.item())
    return sum(losses) / len(losses)
""",
        "split_batch_dim": _DOC_EPOCH + """
    x, y = seq
    h, losses = None, []
    for xc, yc in zip(torch.split(x, k, dim=0), torch.split(y, k, dim=0)):
        out, h = model(xc, h)
        loss = model.loss(out, yc)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        h = h.detach()
        losses.append(loss.item())
    return sum(losses) / len(losses)
""",
        "overlapping_chunks": _DOC_EPOCH + """
    x, y = seq
    h, losses = None, []
    for s in range(0, x.shape[1], k):
        out, h = model(x[:, s:s + k + 1], h)
        loss = model.loss(out, y[:, s:s + k + 1])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        h = h.detach()
        losses.append(loss.item())
    return sum(losses) / len(losses)
""",
        # one update per epoch on the summed chunk losses
        "one_update_per_epoch": _DOC_EPOCH + """
    x, y = seq
    h, total, n = None, 0.0, 0
    optimizer.zero_grad()
    for xc, yc in zip(split_chunks(x, k), split_chunks(y, k)):
        out, h = model(xc, h)
        total = total + model.loss(out, yc)
        h = h.detach()
        n += 1
    total.backward()
    optimizer.step()
    return total.item() / n
""",
        "returns_sum": _DOC_EPOCH + """
    x, y = seq
    h, losses = None, []
    for xc, yc in zip(split_chunks(x, k), split_chunks(y, k)):
        out, h = model(xc, h)
        loss = model.loss(out, yc)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        h = h.detach()
        losses.append(loss.item())
    return sum(losses)
""",
        "returns_last_loss": _DOC_EPOCH + """
    x, y = seq
    h = None
    for xc, yc in zip(split_chunks(x, k), split_chunks(y, k)):
        out, h = model(xc, h)
        loss = model.loss(out, yc)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        h = h.detach()
    return loss.item()
""",
        # the mean is weighted by chunk length, not one vote per chunk
        "length_weighted_mean": _DOC_EPOCH + """
    x, y = seq
    h, total = None, 0.0
    for xc, yc in zip(split_chunks(x, k), split_chunks(y, k)):
        out, h = model(xc, h)
        loss = model.loss(out, yc)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        h = h.detach()
        total += loss.item() * xc.shape[1]
    return total / x.shape[1]
""",
    },
    "followup_1": {
        "row_start_only": "followup_1 = 500\n",            # forgot the window offset
        "interleaved_rows": "followup_1 = 2 + 4 * 50\n",    # rows taken as every 4th token
    },
    "followup_2": {
        "k2_every_pass": "followup_2 = 100 * 50\n",          # the first passes are shorter
        "disjoint_windows": "followup_2 = 1000\n",
    },
    "quick_check": {
        "all_steps_kept": 'answer = "a"\n',
        "state_reset": 'answer = "c"\n',
    },
}

CORRECT = {
    "tbptt_epoch": {
        # index slicing, detach at the start of the next chunk, zero_grad after the step
        "slices_detach_before_call": _DOC_EPOCH + """
    import statistics
    x, y = seq
    state, values = None, []
    for s in range(0, x.shape[1], k):
        if state is not None:
            state = state.detach()
        pred, state = model(x[:, s:s + k], state)
        loss = model.loss(pred, y[:, s:s + k])
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        values.append(float(loss.detach()))
    return statistics.mean(values)
""",
        # torch.split, model.zero_grad, losses kept as detached tensors
        "split_model_zero_grad": _DOC_EPOCH + """
    xs, ys = torch.split(seq[0], k, dim=1), torch.split(seq[1], k, dim=1)
    h = None
    kept = []
    for i in range(len(xs)):
        model.zero_grad()
        out, h_new = model(xs[i], h)
        loss = model.loss(out, ys[i])
        loss.backward()
        optimizer.step()
        h = h_new.detach().clone()
        kept.append(loss.detach())
    return float(torch.stack(kept).mean())
""",
        # set_to_none=False, a while loop over the start index
        "while_loop": _DOC_EPOCH + """
    x, y = seq
    T = x.size(1)
    start, h, total, count = 0, None, 0.0, 0
    while start < T:
        stop = min(start + k, T)
        optimizer.zero_grad(set_to_none=False)
        out, h = model(x[:, start:stop], h)
        loss = model.loss(out, y[:, start:stop])
        loss.backward()
        optimizer.step()
        h = h.detach()
        total += loss.item()
        count += 1
        start = stop
    return total / count
""",
    },
    "split_chunks": {
        # torch.split returns a tuple of views
        "torch_split_tuple": _DOC_SPLIT + """
    if not k >= 1:
        raise ValueError(k)
    return torch.split(seq, k, dim=1)
""",
        "narrow_while": _DOC_SPLIT + _CHECK_K + """
    out, start, T = [], 0, seq.size(1)
    while start < T:
        length = min(k, T - start)
        out.append(seq.narrow(1, start, length))
        start += length
    return out
""",
        "tensor_split": _DOC_SPLIT + _CHECK_K + """
    return tuple(torch.tensor_split(seq, list(range(k, seq.shape[1], k)), dim=1))
""",
    },
    "followup_1": {
        "numpy_int": "import numpy as np\nfollowup_1 = np.int64(1000 // 4 * 2 + 2 * 25)\n",
    },
    "followup_2": {
        "loop": "followup_2 = sum(min(50, t) for t in range(10, 1001, 10))\n",
    },
    "quick_check": {
        "upper_case_spaces": 'answer = " B "\n',
    },
}

# a wrong function whose failure must cost only its own test cell in the nbgrader round trip: the
# torch.chunk slip in split_chunks must not cost tbptt_epoch's points (its tests chunk on their own)
ROUNDTRIP_WRONG = ("split_chunks", "torch_chunk")


def check_experiment(E):
    import matplotlib.figure

    # A: the gradient of the last chunk's loss stops exactly at the window
    assert E["n_backward"] == 3, E
    assert E["grad_old_max"] == 0.0, E
    assert E["grad_recent_min"] > 0.0, E
    assert E["grad_full_old_max"] > 1e-4, E
    assert E["window_max_diff"] < 1e-5, E
    # B: a window longer than the delay learns the recall, a shorter one stays at chance
    acc = E["acc_by_k"]
    assert E["delay"] == 4 and abs(E["chance"] - 0.25) < 1e-12
    assert set(acc) == {4, 5, 8}
    assert E["acc_long"] == acc[8] and E["acc_short"] == acc[4]
    assert acc[8] >= 0.9 and acc[5] >= 0.8, acc
    assert acc[4] <= 0.35, acc
    # C: ceil(T / k) updates per epoch; activation memory proportional to k, all freed after the epoch
    T, ks = E["T"], E["cost_windows"]
    assert T == 48 and ks == [1, 2, 4, 8, 16, 48], (T, ks)
    assert all(E["updates_by_k"][k] == -(-T // k) for k in ks), E["updates_by_k"]
    peak = [E["peak_kib_by_k"][k] for k in ks]
    assert all(a < b for a, b in zip(peak, peak[1:])), peak
    assert 40 <= peak[-1] / peak[0] <= 56, peak
    assert all(v == 0 for v in E["live_after_by_k"].values()), E["live_after_by_k"]
    figs = E["figures"]
    assert set(figs) == {"gradient", "recall", "cost"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs.values())
