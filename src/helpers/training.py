"""A small, seeded training loop with a progress bar."""
from __future__ import annotations

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


@torch.no_grad()
def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Share of argmax predictions equal to the targets. logits: (..., C), targets: (...)."""
    return float((logits.argmax(-1) == targets).double().mean())
