"""A small, seeded training loop with a progress bar, and Adam without torch's compiler import."""
from __future__ import annotations

import math

import torch
from tqdm.auto import tqdm


def batches(n: int, batch_size: int, generator: torch.Generator | None = None):
    """Shuffled index batches over range(n); deterministic given the generator."""
    perm = torch.randperm(n, generator=generator)
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


def train(model, step_fn, optimizer, epochs: int, n: int, batch_size: int, seed: int = 0,
          progress: bool = True, clip: float | None = None, desc: str = "training"):
    """Run ``epochs`` passes; ``step_fn(model, idx) -> loss`` computes the loss on one batch.

    Returns the list of mean losses per epoch. Gradients are clipped to ``clip`` when given.
    """
    g = torch.Generator().manual_seed(seed)
    history = []
    bar = tqdm(range(epochs), desc=desc, disable=not progress, leave=False)
    for _ in bar:
        total, count = 0.0, 0
        for idx in batches(n, batch_size, g):
            optimizer.zero_grad()
            loss = step_fn(model, idx)
            loss.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            total += float(loss.detach()) * len(idx)
            count += len(idx)
        history.append(total / count)
        bar.set_postfix(loss=f"{history[-1]:.4f}")
    return history


class Adam:
    """torch.optim.Adam's update (default settings, no weight decay), written out.

    The first torch.optim optimizer of a session imports torch's compiler (torch._dynamo): about
    1.5 s on 2 cores before the first update. This class computes the same update (the same
    operations in the same order as torch's single-tensor Adam, which PyTorch uses on the CPU;
    tests/test_helpers_misc.py compares the two) and imports nothing.

    params: an iterable of tensors (model.parameters()); lr may be changed between steps
    (``opt.lr = ...``) for a learning-rate schedule.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8):
        self.params = [p for p in params if p.requires_grad]
        if not self.params:
            raise ValueError("Adam got no parameters that require a gradient")
        self.lr, self.betas, self.eps, self.steps = float(lr), betas, float(eps), 0
        self.m = [torch.zeros_like(p) for p in self.params]      # first moment
        self.v = [torch.zeros_like(p) for p in self.params]      # second moment

    def zero_grad(self, set_to_none: bool = True) -> None:
        """As torch's: drop the gradients (or fill them with zeros when set_to_none=False)."""
        for p in self.params:
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.zero_()

    @torch.no_grad()
    def step(self) -> None:
        self.steps += 1
        b1, b2 = self.betas
        step_size = self.lr / (1 - b1 ** self.steps)
        correction2 = (1 - b2 ** self.steps) ** 0.5
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            m.lerp_(p.grad, 1 - b1)                                   # m = b1 m + (1 - b1) g
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)         # v = b2 v + (1 - b2) g^2
            p.addcdiv_(m, (v.sqrt() / correction2).add_(self.eps), value=-step_size)


def one_cycle(step: int, total_steps: int, max_lr: float, pct_start: float = 0.3, div_factor: float = 25.0,
              final_div_factor: float = 1e4, momenta: tuple = (0.85, 0.95)) -> tuple[float, float]:
    """torch.optim.lr_scheduler.OneCycleLR's default schedule, as (lr, beta1) for update ``step``.

    step: 0 .. total_steps - 1 (the update about to be taken). Warm up from max_lr / div_factor to
    max_lr over pct_start of the run while beta1 falls from momenta[1] to momenta[0], then anneal
    (cosine) to max_lr / div_factor / final_div_factor while beta1 rises again. The same floats as
    torch's scheduler (tests/test_helpers_misc.py); use with Adam: ``opt.lr, b1 = one_cycle(...)``.
    """
    if not 0 <= step < total_steps:
        raise ValueError(f"step {step} outside 0 .. {total_steps - 1}")
    initial = max_lr / div_factor
    low, high = momenta
    warm_end = float(pct_start * total_steps) - 1
    if step <= warm_end:                                           # phase 1: warm up
        pct = step / warm_end
        lrs, betas = (initial, max_lr), (high, low)
    else:                                                          # phase 2: anneal
        pct = (step - warm_end) / ((total_steps - 1) - warm_end)
        lrs, betas = (max_lr, initial / final_div_factor), (low, high)

    def cos(a, b):
        return b + (a - b) / 2.0 * (math.cos(math.pi * pct) + 1)
    return cos(*lrs), cos(*betas)


@torch.no_grad()
def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Share of argmax predictions equal to the targets. logits: (..., C), targets: (...)."""
    return float((logits.argmax(-1) == targets).double().mean())
