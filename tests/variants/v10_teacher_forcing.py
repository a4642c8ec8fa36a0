"""Wrong and alternative-correct implementations for solutions/10_teacher_forcing.ipynb."""

STEM = "10_teacher_forcing"

_DOC_SHIFT = '''
def shift_right(targets, bos):
    """Decoder inputs for teacher forcing: (N, T) -> (N, T), bos then targets[:, :-1]."""
'''

_DOC_PROB = '''
def sampling_prob(step, k):
    """Inverse-sigmoid schedule k / (k + exp(step / k)) as a float."""
'''

_DOC_MIX = '''
def decoder_inputs(targets, predictions, p, generator):
    """Per-position mix: ground truth with probability p, prediction otherwise; (N, T)."""
'''

WRONG = {
    "shift_right": {
        # off by one: the first target is dropped instead of the last
        "drops_first_token": _DOC_SHIFT + """
    return torch.cat([torch.full_like(targets[:, :1], bos), targets[:, 1:]], dim=1)
""",
        # BOS prepended but nothing dropped: length T + 1
        "keeps_length_T_plus_1": _DOC_SHIFT + """
    return torch.cat([torch.full_like(targets[:, :1], bos), targets], dim=1)
""",
        "shifts_along_batch": _DOC_SHIFT + """
    return torch.cat([torch.full_like(targets[:1], bos), targets[:-1]], dim=0)
""",
        # right values, but the labels are overwritten
        "in_place": _DOC_SHIFT + """
    targets[:, 1:] = targets[:, :-1].clone()
    targets[:, 0] = bos
    return targets
""",
        "bos_first_row_only": _DOC_SHIFT + """
    out = torch.zeros_like(targets)
    out[:, 1:] = targets[:, :-1]
    out[0, 0] = bos
    return out
""",
        # torch.roll wraps the last target around instead of inserting BOS
        "roll_without_bos": _DOC_SHIFT + """
    return torch.roll(targets, shifts=1, dims=1)
""",
    },
    "sampling_prob": {
        # the probability of feeding the model's own prediction: it rises
        "rising": _DOC_PROB + """
    return 1.0 - k / (k + math.exp(step / k))
""",
        "exp_without_division": _DOC_PROB + """
    return k / (k + math.exp(min(step, 700)))
""",
        "linear_decay": _DOC_PROB + """
    return max(0.0, 1.0 - step / (k * 10))
""",
        "integer_division": _DOC_PROB + """
    return k / (k + math.exp(step // k))
""",
        "returns_tensor": _DOC_PROB + """
    return k / (k + torch.exp(torch.tensor(step / k)))
""",
    },
    "decoder_inputs": {
        # mixes with a float mask: the token ids come back as float
        "float_result": '''import torch


def decoder_inputs(targets, predictions, p, generator):
    keep = (torch.rand(targets.shape, generator=generator) < p).float()
    return keep * targets + (1 - keep) * predictions
''',
        # the global RNG: not reproducible from the generator
        "ignores_generator": _DOC_MIX + """
    use_truth = torch.rand(targets.shape) < p
    return torch.where(use_truth, targets, predictions)
""",
        "p_reversed": _DOC_MIX + """
    use_pred = torch.rand(targets.shape, generator=generator) < p
    return torch.where(use_pred, predictions, targets)
""",
        "one_coin_per_row": _DOC_MIX + """
    use_truth = torch.rand(targets.shape[0], 1, generator=generator) < p
    return torch.where(use_truth, targets, predictions)
""",
        # one coin per row, drawn with bernoulli and broadcast over time
        "one_coin_per_row_bernoulli": _DOC_MIX + """
    heads = torch.bernoulli(torch.full((targets.shape[0], 1), float(p)), generator=generator).bool()
    return torch.where(heads.expand_as(targets), targets, predictions)
""",
        # one coin per row in a Python loop over the batch
        "one_coin_per_row_loop": _DOC_MIX + """
    rows = []
    for n in range(targets.shape[0]):
        use_truth = float(torch.rand(1, generator=generator)) < p
        rows.append(targets[n] if use_truth else predictions[n])
    return torch.stack(rows)
""",
        "one_coin_per_step": _DOC_MIX + """
    use_truth = torch.rand(1, targets.shape[1], generator=generator) < p
    return torch.where(use_truth, targets, predictions)
""",
        # right mix, but written into the caller's targets
        "in_place": _DOC_MIX + """
    use_pred = torch.rand(targets.shape, generator=generator) >= p
    targets[use_pred] = predictions[use_pred]
    return targets
""",
        "own_fixed_generator": _DOC_MIX + """
    g = torch.Generator().manual_seed(0)
    use_truth = torch.rand(targets.shape, generator=g) < p
    return torch.where(use_truth, targets, predictions)
""",
        # the mix is shifted right (with 0 as start token) although the caller shifts
        "shifted_result": _DOC_MIX + """
    use_truth = torch.rand(targets.shape, generator=generator) < p
    mix = torch.where(use_truth, targets, predictions)
    return torch.cat([torch.zeros_like(mix[:, :1]), mix[:, :-1]], dim=1)
""",
    },
    "followup_1": {
        "mixed_prefix": 'followup_1 = "c"\n',
        "free_running_prefix": 'followup_1 = "b"\n',
    },
    "followup_2": {
        "rounded_down": "followup_2 = 40.0\n",
        "k_itself": "followup_2 = 15.0\n",
        "log10": "followup_2 = 15 * math.log10(15)\n",
        "as_string": 'followup_2 = "40.6"\n',
    },
    "quick_check": {
        "bigger_model": 'answer = "a"\n',
        "not_shifted": 'answer = "d"\n',
    },
}

CORRECT = {
    "followup_1": {
        "upper_case": 'followup_1 = " A"\n',
    },
    "followup_2": {
        "numpy": "followup_2 = np.float64(15) * np.log(15)\n",
        "solved_numerically": "followup_2 = min((abs(sampling_prob(i / 100, 15) - 0.5), i / 100) for i in range(3000, 5000))[1]\n",
    },
    "shift_right": {
        "new_full_slice": _DOC_SHIFT + """
    out = targets.new_full(targets.shape, bos)
    out[:, 1:] = targets[:, :-1]
    return out
""",
        "pad": _DOC_SHIFT + """
    return torch.nn.functional.pad(targets[:, :-1], (1, 0), value=bos)
""",
        "row_loop": _DOC_SHIFT + """
    rows = [torch.cat([torch.tensor([bos], dtype=targets.dtype), row[:-1]]) for row in targets]
    return torch.stack(rows)
""",
        "roll_then_fix": _DOC_SHIFT + """
    out = torch.roll(targets.clone(), 1, dims=1)
    out[:, 0] = bos
    return out
""",
    },
    "sampling_prob": {
        "numpy": _DOC_PROB + """
    return k / (k + np.exp(step / k))
""",
        "sigmoid_form": _DOC_PROB + """
    return 1.0 / (1.0 + math.exp(step / k - math.log(k)))
""",
        "torch_item": _DOC_PROB + """
    return torch.sigmoid(torch.tensor(math.log(k) - step / k, dtype=torch.float64)).item()
""",
    },
    "decoder_inputs": {
        "bernoulli": _DOC_MIX + """
    heads = torch.bernoulli(torch.full(targets.shape, float(p)), generator=generator).bool()
    return torch.where(heads, targets, predictions)
""",
        "arithmetic_mask": _DOC_MIX + """
    keep = (torch.rand(targets.shape, generator=generator) < p).long()
    return keep * targets + (1 - keep) * predictions
""",
        "clone_and_assign": _DOC_MIX + """
    out = predictions.clone()
    m = torch.rand(*targets.shape, generator=generator) < p
    out[m] = targets[m]
    return out
""",
        "double_draws": _DOC_MIX + """
    u = torch.rand(targets.shape, generator=generator, dtype=torch.float64)
    return torch.where(u < p, targets, predictions).clone()
""",
    },
    "quick_check": {
        "upper_case_spaces": 'answer = " B "\n',
    },
}

# a wrong function whose failure must cost only its own test cell in the nbgrader round trip
ROUNDTRIP_WRONG = ("sampling_prob", "rising")


def check_experiment(E):
    import matplotlib.figure

    L = E["L"]
    free, forced = E["snap_free_error"], E["snap_forced_error"]
    # exposure bias compounds: mid-training, the teacher-forced model's free-running error grows
    # along the output, much faster than its error with the ground truth fed
    assert len(free) == len(forced) == L
    assert free[-1] > free[1] + 0.4, free
    assert max(forced) < 0.5 and free[-1] > forced[-1] + 0.3, (free, forced)
    gap = [f - g for f, g in zip(free, forced)]
    assert sum(gap[L // 2:]) > 2 * sum(gap[:L // 2]), gap
    # on track it errs at a low rate, off track at a high one
    on, off = E["snap_on_off"]
    assert on < 0.4 and off > 0.8, (on, off)
    # learning curves: teacher forcing learns fastest, free-running training slowest (the stated result)
    mean = E["mean_curve_error"]
    assert mean["teacher"] < mean["scheduled"] - 0.05 < mean["free"] - 0.1, mean
    final = E["final_free_error"]
    assert final["teacher"] < 0.05 and final["teacher"] < final["scheduled"] < final["free"], final
    assert len(E["curve_steps"]) == len(E["curve_free"]["teacher"]) == len(E["curve_forced_teacher"])
    # scheduled sampling did not learn to recover from its own mistakes (stated in the text)
    assert E["final_on_off"]["scheduled"][1] > 0.8, E["final_on_off"]
    # the schedule went from (almost) teacher forcing to (almost) free running
    assert E["p_first"] > 0.9 and E["p_last"] < 0.05, E
    figs = E["figures"]
    assert set(figs) == {"errors"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs.values())
