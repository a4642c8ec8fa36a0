import numpy as np
import pytest
import torch

from helpers import data, measure, seed_everything
from helpers.card import Card, show_card
from helpers.gradcheck import numeric_gradient
from helpers.plotting import draw_unrolled, line_plot, state_heatmap
from helpers.questions import QUESTIONS, REVIEW_CHECKLIST, question
from helpers.torch_map import arrays_from_rnn, module_parameter_count, rnn_from_arrays


def test_numeric_gradient_matches_analytic():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    df = rng.standard_normal((3, 4))
    g = numeric_gradient(np.tanh, x, df)
    assert np.allclose(g, (1 - np.tanh(x) ** 2) * df, atol=1e-8)
    gs = numeric_gradient(lambda z: float((z ** 2).sum()), x)
    assert np.allclose(gs, 2 * x, atol=1e-6)
    with pytest.raises(TypeError, match="float64"):
        numeric_gradient(np.tanh, x.astype(np.float32))


def test_seed_everything_is_deterministic():
    seed_everything(3)
    a = (np.random.rand(), torch.rand(1).item())
    seed_everything(3)
    assert a == (np.random.rand(), torch.rand(1).item())
    # torch's deterministic algorithms, warn-only (as torch.use_deterministic_algorithms sets them)
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.is_deterministic_algorithms_warn_only_enabled()


def test_generators_are_reproducible_and_correct():
    x, y = data.delayed_recall(np.random.default_rng(1), 4, 10, 3)
    assert (y[:, 3:] == x[:, :7]).all() and (y[:, :3] == 0).all()
    bits, counts = data.bit_stream(np.random.default_rng(1), 2, 6)
    assert (counts[:, -1] == bits.sum(1)).all()
    x, y = data.first_token(np.random.default_rng(2), 8, 5)
    assert (x[:, 0] == y).all() and (x[:, 1:] >= 4).all()
    src, tgt = data.reverse_pairs(np.random.default_rng(0), 3, 5, 7)
    assert (tgt == src[:, ::-1]).all()
    lens = data.variable_lengths(np.random.default_rng(0), 200, 2, 40, realistic=True)
    assert lens.min() >= 2 and lens.max() <= 40 and np.median(lens) < 20
    x, tags = data.right_context_tags(np.random.default_rng(0), 5, 8)
    assert (tags[:, :-1] == (x[:, 1:] == x[:, :-1])).all()
    xs, ys = data.adding_problem(np.random.default_rng(0), 3, 10)
    assert (xs[..., 1].sum(1) == 2).all() and np.allclose(ys, (xs[..., 0] * xs[..., 1]).sum(1))


def test_weight_mapping_round_trip_matches_torch():
    rng = np.random.default_rng(0)
    Wx, Wh, b = rng.standard_normal((3, 5)), rng.standard_normal((5, 5)) * 0.3, rng.standard_normal(5)
    rnn = rnn_from_arrays(Wx, Wh, b)
    x = rng.standard_normal((2, 4, 3))
    out, _ = rnn(torch.from_numpy(x))
    h = np.zeros((2, 5))
    for t in range(4):                      # the convention the mapping promises
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
    assert np.allclose(out[:, -1].detach().numpy(), h)
    Wx2, Wh2, b2 = arrays_from_rnn(rnn)
    assert np.allclose(Wx2, Wx) and np.allclose(Wh2, Wh) and np.allclose(b2, b)
    assert module_parameter_count(rnn) == 3 * 5 + 5 * 5 + 2 * 5


def test_card_renders_chip_colour_tags_and_answer():
    html = show_card(11)._repr_html_()
    assert "Hard" in html and "#c62828" in html and "border-left:6px solid #c62828" in html
    assert "Hidden" in html and "Q11." in html
    assert "#2e7d32" in Card(1)._repr_html_() and "#f9a825" in Card("03_bptt")._repr_html_()
    assert "Q3." in repr(Card(3))


def test_questions_table_is_complete():
    assert [q.number for q in QUESTIONS] == list(range(1, 16))
    assert [q.level for q in QUESTIONS][:4] == ["Easy", "Easy", "Medium", "Medium"]
    assert question("03").stem == "03_bptt" and question(3) is question("03_bptt")
    covered = {n for _, ns in REVIEW_CHECKLIST for n in ns}
    assert covered == set(range(1, 16))
    with pytest.raises(KeyError):
        question("99")


def test_plots_draw(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    edges = [("x1", "h1"), ("h0", "h1"), ("h1", "y1"), ("y1", "L")]
    ax = draw_unrolled(edges)
    assert sorted(t.get_text() for t in ax.texts if t.get_text()) == ["L", "h0", "h1", "x1", "y1"]
    state_heatmap(np.zeros((6, 3)))
    line_plot({"a": ([1, 2], [1, 10])}, "t", "norm", logy=True).figure.savefig(tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 0
    with pytest.raises(ValueError, match="letter followed by a time index"):
        draw_unrolled([("h-1", "h0")])


def test_measure():
    assert measure.nbytes(np.zeros(10), [torch.zeros(4)]) == 80 + 16
    assert measure.time_call(lambda: None, repeat=3) >= 0
    assert measure.peak_rss_mib() > 10


@pytest.mark.parametrize("lr,schedule", [(0.01, False), (0.05, True)])
def test_adam_matches_torch_adam(lr, schedule):
    """helpers.training.Adam takes exactly torch.optim.Adam's steps (CPU, default settings),
    including a learning rate changed between steps and a parameter without a gradient."""
    from helpers.training import Adam

    def model():
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 3))
        net.add_module("unused", torch.nn.Linear(2, 2))              # never gets a gradient
        return net

    ours, ref = model(), model()
    opt_ours, opt_ref = Adam(ours.parameters(), lr=lr), torch.optim.Adam(ref.parameters(), lr=lr)
    g = torch.Generator().manual_seed(1)
    for step in range(25):
        x, y = torch.randn(8, 5, generator=g), torch.randn(8, 3, generator=g)
        if schedule and step == 10:
            opt_ours.lr = lr / 2
            opt_ref.param_groups[0]["lr"] = lr / 2
        for net, opt in ((ours, opt_ours), (ref, opt_ref)):
            opt.zero_grad()
            ((net[:3](x) - y) ** 2).mean().backward()
            opt.step()
    for a, b in zip(ours.parameters(), ref.parameters()):
        assert torch.allclose(a, b, rtol=0, atol=1e-7), (a - b).abs().max()
    assert not torch.equal(ours[0].weight, model()[0].weight)       # it did train


def test_adam_refuses_no_parameters_and_zero_grad_takes_torchs_argument():
    from helpers.training import Adam
    with pytest.raises(ValueError, match="no parameters"):
        Adam([torch.zeros(2)])
    w = torch.nn.Parameter(torch.ones(3))
    opt = Adam([w])
    (2 * w).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert torch.equal(w.grad, torch.zeros(3))
    opt.zero_grad()
    assert w.grad is None


@pytest.mark.parametrize("total,max_lr", [(208, 0.02), (100, 0.1), (37, 0.003)])
def test_one_cycle_matches_torch_one_cycle_lr(total, max_lr):
    """helpers.training.one_cycle gives torch's OneCycleLR learning rate and Adam beta1 at every
    update, to the last bit."""
    from helpers.training import one_cycle
    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=max_lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=total)
    for step in range(total):
        group = opt.param_groups[0]
        assert one_cycle(step, total, max_lr) == (group["lr"], group["betas"][0]), step
        opt.step()
        sched.step()
    with pytest.raises(ValueError):
        one_cycle(total, total, max_lr)
