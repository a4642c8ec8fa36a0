"""Wrong and alternative-correct implementations for solutions/05_vanishing_gradients.ipynb."""

STEM = "05_vanishing_gradients"

_JAC = '''
def state_jacobian(h_all, Wh):
    """Jacobian of the last state with respect to the initial state, for one sequence."""
'''

_CLIP = '''
def clip_grad_norm(grads, max_norm):
    """Rescale a list of gradients so that their global L2 norm is at most max_norm."""
'''


def _jac_loop(deriv="1.0 - h_t ** 2", M="Wh.T", update="J = J_t @ J", states="h_all"):
    return _JAC + f"""
    J = np.eye(Wh.shape[0])
    for h_t in {states}:
        J_t = ({deriv})[:, None] * {M}
        {update}
    return J
"""


WRONG = {
    "state_jacobian": {
        "wh_not_transposed": _jac_loop(M="Wh"),
        "wrong_order_oldest_left": _jac_loop(update="J = J @ J_t"),
        "derivative_of_previous_state": _JAC + """
    H = Wh.shape[0]
    prev = np.vstack([np.zeros((1, H)), h_all[:-1]])     # h_0 taken as 0, then h_1 .. h_{T-1}
    J = np.eye(H)
    for h_p in prev:
        J = ((1.0 - h_p ** 2)[:, None] * Wh.T) @ J
    return J
""",
        "previous_state_and_t_minus_1_factors": _JAC + """
    J = np.eye(Wh.shape[0])
    for t in range(1, len(h_all)):
        J = ((1.0 - h_all[t - 1] ** 2)[:, None] * Wh.T) @ J
    return J
""",
        "no_tanh_derivative": _jac_loop(deriv="np.ones_like(h_t)"),
        "derivative_not_squared": _jac_loop(deriv="1.0 - h_t"),
        "skips_first_factor": _jac_loop(states="h_all[1:]"),
        "skips_last_factor": _jac_loop(states="h_all[:-1]"),
        "returns_norm": _JAC + """
    J = np.eye(Wh.shape[0])
    for h_t in h_all:
        J = ((1.0 - h_t ** 2)[:, None] * Wh.T) @ J
    return np.linalg.norm(J, 2)
""",
        "diag_on_the_right": _JAC + """
    J = np.eye(Wh.shape[0])
    for h_t in h_all:
        J = (Wh.T @ np.diag(1.0 - h_t ** 2)) @ J
    return J
""",
    },
    "clip_grad_norm": {
        # returns the caller's own arrays when nothing is scaled (not new arrays)
        "aliases_inputs_when_not_clipping": '''
import numpy as np

def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    c = max_norm / (total + 1e-6)
    if c < 1:
        return [g * c for g in grads], total
    return list(grads), total
''',
        "per_tensor_clipping": _CLIP + """
    out = []
    for g in grads:
        n = np.linalg.norm(g)
        out.append(g * min(1.0, max_norm / (n + 1e-6)))
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    return out, total
""",
        "scales_up_when_small": _CLIP + """
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    return [g * (max_norm / (total + 1e-6)) for g in grads], total
""",
        "sum_of_norms": _CLIP + """
    total = float(sum(np.linalg.norm(g) for g in grads))
    coef = max_norm / (total + 1e-6)
    return [g * coef if coef < 1 else g.copy() for g in grads], total
""",
        "in_place": _CLIP + """
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            g *= coef
    return grads, total
""",
        "returns_norm_after_clipping": _CLIP + """
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    coef = min(1.0, max_norm / (total + 1e-6))
    return [g * coef for g in grads], total * coef
""",
        "max_abs_instead_of_l2": _CLIP + """
    total = float(max(np.max(np.abs(g)) for g in grads))
    coef = min(1.0, max_norm / (total + 1e-6))
    return [g * coef for g in grads], total
""",
        "norm_without_sqrt": _CLIP + """
    total = float(sum(np.sum(g ** 2) for g in grads))
    coef = min(1.0, max_norm / (total + 1e-6))
    return [g * coef for g in grads], total
""",
        # the epsilon subtracted: norms below 1e-6 give a negative, huge factor
        "minus_epsilon": _CLIP + """
    total = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
    coef = min(1.0, max_norm / (total - 1e-6))
    return [g * coef for g in grads], total
""",
        # the squares are summed in the gradients' own precision: float16 / large float32 overflow to inf
        "no_float64_accumulation": _CLIP + """
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    coef = min(1.0, max_norm / (total + 1e-6))
    return [g * coef for g in grads], total
""",
        # np.linalg.norm in the input dtype: the same overflow
        "linalg_norm_own_dtype": _CLIP + """
    total = float(np.sqrt(sum(np.linalg.norm(g) ** 2 for g in grads)))
    coef = max_norm / (total + 1e-6)
    return [g * coef if coef < 1 else g.copy() for g in grads], total
""",
        "returns_only_clipped": _CLIP + """
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    coef = min(1.0, max_norm / (total + 1e-6))
    return [g * coef for g in grads]
""",
    },
    "followup_1": {
        "norm_clipping_cosine": "followup_1 = 1.0\n",
        "angle_not_cosine": "import numpy as np\nfollowup_1 = float(np.arccos(0.9694))\n",
    },
    "followup_2": {
        "additive_never_explodes": 'followup_2 = "a"\n',
        "clipping_fixes_vanishing": 'followup_2 = "c"\n',
    },
    "quick_check": {
        "a": 'answer = "a"\n',
        "c": 'answer = "c"\n',
        "d": 'answer = "d"\n',
    },
}

CORRECT = {
    "state_jacobian": {
        "newest_first_right_multiply": _JAC + """
    # accumulate from the newest step: M = J_T, then J_T J_{T-1}, ...
    M = np.eye(Wh.shape[0])
    for h_t in h_all[::-1]:
        M = M @ (np.diag(1.0 - h_t ** 2) @ Wh.T)
    return M
""",
        "column_form_transposed": _JAC + """
    # (J_T ... J_1)^T = J_1^T ... J_T^T = Wh D_1 Wh D_2 ... Wh D_T
    P = np.eye(Wh.shape[0])
    for t in range(h_all.shape[0]):
        P = P @ Wh @ np.diag(1 - h_all[t] * h_all[t])
    return P.T
""",
        "float32_einsum": _JAC + """
    h32, W32 = np.asarray(h_all, np.float32), np.asarray(Wh, np.float32)
    J = np.eye(W32.shape[0], dtype=np.float32)
    for h_t in h32:
        J = np.einsum('i,ji,jk->ik', 1 - h_t ** 2, W32, J)
    return J
""",
        "torch_tensor_result": _JAC + """
    import torch
    W = torch.as_tensor(np.asarray(Wh, dtype=np.float64))
    J = torch.eye(W.shape[0], dtype=torch.float64)
    for h_t in torch.as_tensor(np.asarray(h_all, dtype=np.float64)):
        J = torch.diag(1 - h_t ** 2) @ W.T @ J
    return J
""",
    },
    "clip_grad_norm": {
        "flatten_and_branch": _CLIP + """
    flat = np.concatenate([np.ravel(g).astype(np.float64) for g in grads]) if grads else np.zeros(0)
    total_norm = float(np.linalg.norm(flat))
    coef = max_norm / (total_norm + 1e-6)
    if coef < 1:
        return [g * coef for g in grads], total_norm
    return [g.copy() for g in grads], total_norm
""",
        "no_epsilon": _CLIP + """
    # no epsilon: differs from torch only when max_norm is near a norm below 1e-6
    total_norm = float(np.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in grads)))
    clipped = [np.array(g) for g in grads]
    if total_norm > max_norm:
        clipped = [c * (max_norm / total_norm) for c in clipped]
    return clipped, total_norm
""",
        # a Python loop over the entries, math.fsum, float64 results
        "entry_loop_float64": _CLIP + """
    import math
    total_norm = math.sqrt(math.fsum(float(v) ** 2 for g in grads for v in np.asarray(g).ravel()))
    coef = max_norm / (total_norm + 1e-6)
    return [np.asarray(g, dtype=np.float64) * min(1.0, coef) for g in grads], total_norm
""",
        # einsum in float64 on flattened copies
        "einsum_float64": _CLIP + """
    sq = sum(np.einsum("i,i->", np.ravel(g).astype(np.float64), np.ravel(g).astype(np.float64)) for g in grads)
    n = float(np.sqrt(sq))
    c = max_norm / (n + 1e-6)
    return ([g * c for g in grads] if c < 1 else [np.copy(g) for g in grads]), n
""",
        "via_torch": _CLIP + """
    import torch
    params = []
    for g in grads:
        p = torch.zeros(np.shape(g), requires_grad=True, dtype=torch.float64)
        p.grad = torch.tensor(np.array(g, dtype=np.float64))
        params.append(p)
    n = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy().astype(np.asarray(g).dtype) for p, g in zip(params, grads)], n.item()
""",
    },
    "followup_1": {
        "numpy_float": "import numpy as np\n"
                       "g = np.array([3.0, 0.4]); v = np.clip(g, -1, 1)\n"
                       "followup_1 = v @ g / (np.linalg.norm(v) * np.linalg.norm(g))\n",
    },
    "followup_2": {
        "upper": 'followup_2 = " B "\n',
    },
    "quick_check": {
        "upper_with_space": 'answer = " B"\n',
    },
}

ROUNDTRIP_WRONG = ("clip_grad_norm", "per_tensor_clipping")


def check_experiment(E):
    import matplotlib.figure

    fin, slope = E["jacobian_norm_final"], E["log10_slope_per_step"]
    # below 1: decays by orders of magnitude (0.8^40 ~ 1e-4); at 1: flat; above 1: grows (1.2^40 ~ 1e3)
    assert fin["radius 0.8"] < 1e-3, fin
    assert 0.5 < fin["radius 1.0"] < 2.0, fin
    assert fin["radius 1.2"] > 1e2, fin
    assert slope["radius 0.8"] < -0.07 and slope["radius 1.2"] > 0.06 and abs(slope["radius 1.0"]) < 0.01, slope
    # an ordinary learning rate: fine from radius 0.9, explodes from radius 1.5, clipping keeps it finite
    assert E["lr"] <= 0.1, E
    assert E["stable_all_finite"] is True and E["stable_max_grad_norm"] < 20, E
    assert E["explode_diverged"] is True and E["explode_max_grad_norm"] > 1e6, E
    assert E["clip_all_finite"] is True, E
    assert E["clip_last_loss"] < 0.3 * E["clip_first_loss"], E
    assert E["clip_last_loss"] < 0.8 * E["mean_predictor_loss"], E
    figs = E["figures"]
    assert len(figs) == 2 and all(isinstance(f, matplotlib.figure.Figure) for f in figs), figs
