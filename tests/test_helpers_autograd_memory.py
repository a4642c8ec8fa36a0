"""helpers.autograd_memory: the saved-for-backward bytes it reports are the ones autograd keeps."""
import torch

from helpers.autograd_memory import SavedTensorMeter


def test_counts_saved_activations_and_frees_them_after_backward():
    w = torch.randn(5, 5, requires_grad=True)
    x = torch.randn(8, 5)
    with SavedTensorMeter(exclude=[w, x]) as meter:
        h = torch.tanh(x @ w)          # tanh saves its output (8, 5) float32 = 160 bytes
        assert meter.live_bytes == 8 * 5 * 4
        h.sum().backward()
    assert meter.live_bytes == 0
    assert meter.peak_bytes == 160
    assert meter.packed >= 2           # x and w for the matmul (excluded), h for tanh


def test_grows_with_the_graph_and_counts_a_storage_once():
    w = torch.randn(4, 4, requires_grad=True)
    with SavedTensorMeter(exclude=w) as meter:
        h = torch.zeros(2, 4)
        for _ in range(6):
            h = torch.tanh(h @ w)      # each step saves h (input of matmul) and the tanh output
        held = meter.live_bytes
        h.sum().backward()
    # 6 tanh outputs (the last five are also the next matmul's input, counted once) + the zero start
    assert held == 7 * 2 * 4 * 4
    assert meter.peak_bytes == held and meter.live_bytes == 0


def test_graph_dropped_without_backward_is_released_and_hooks_removed():
    w = torch.randn(3, 3, requires_grad=True)
    with SavedTensorMeter(exclude=w) as meter:
        out = torch.sigmoid(torch.ones(2, 3) @ w)
        assert meter.live_bytes > 0
        del out
    assert meter.live_bytes == 0
    before = meter.packed
    torch.sigmoid(torch.ones(2, 3) @ w).sum().backward()      # outside the context: not counted
    assert meter.packed == before


def test_reset_peak():
    w = torch.randn(3, 3, requires_grad=True)
    with SavedTensorMeter(exclude=w) as meter:
        torch.tanh(torch.ones(10, 3) @ w).sum().backward()
        meter.reset_peak()
        assert meter.peak_bytes == 0
        torch.tanh(torch.ones(1, 3) @ w).sum().backward()
    assert meter.peak_bytes == 2 * (1 * 3 * 4)      # the matmul input and the tanh output
