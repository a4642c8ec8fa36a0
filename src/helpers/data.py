"""Small synthetic sequence tasks, generated on the fly from a seed (no downloads).

Every generator takes a numpy ``Generator`` (``rng``) so results are reproducible.
Shapes are batch-first: tokens (N, T) int64, features (N, T, D) float32.
"""
from __future__ import annotations

import numpy as np


def bit_stream(rng: np.random.Generator, n: int, T: int, p: float = 0.5):
    """Random 0/1 streams and their running counts. Returns bits (N, T) float, counts (N, T) float."""
    bits = (rng.random((n, T)) < p).astype(np.float64)
    return bits, np.cumsum(bits, axis=1)


def random_sequences(rng: np.random.Generator, n: int, T: int, D: int, scale: float = 1.0):
    """Gaussian inputs x: (N, T, D) float64."""
    return scale * rng.standard_normal((n, T, D))


def delayed_recall(rng: np.random.Generator, n: int, T: int, delay: int, vocab: int = 4):
    """Tokens x (N, T) in [0, vocab); target y[t] = x[t - delay] (y[t] = 0 for t < delay)."""
    x = rng.integers(0, vocab, size=(n, T))
    y = np.zeros_like(x)
    y[:, delay:] = x[:, : T - delay]
    return x.astype(np.int64), y.astype(np.int64)


def first_token(rng: np.random.Generator, n: int, T: int, vocab: int = 4, noise_vocab: int = 4):
    """Remember-the-first-token task.

    x (N, T) int64: the first token is a class in [0, vocab), the rest are distractors drawn from
    [vocab, vocab + noise_vocab). y (N,) int64: the first token.
    """
    y = rng.integers(0, vocab, size=n)
    x = rng.integers(vocab, vocab + noise_vocab, size=(n, T))
    x[:, 0] = y
    return x.astype(np.int64), y.astype(np.int64)


def reverse_pairs(rng: np.random.Generator, n: int, length: int, vocab: int, offset: int = 0):
    """Source tokens (N, length) in [offset, offset + vocab) and their reversals as targets."""
    src = rng.integers(offset, offset + vocab, size=(n, length))
    return src.astype(np.int64), src[:, ::-1].copy().astype(np.int64)


def adding_problem(rng: np.random.Generator, n: int, T: int):
    """The adding problem: x (N, T, 2) = (value, marker with two ones); y (N,) = sum of marked values."""
    vals = rng.random((n, T))
    marks = np.zeros((n, T))
    for i in range(n):
        a, b = rng.choice(T, size=2, replace=False)
        marks[i, a] = marks[i, b] = 1.0
    x = np.stack([vals, marks], axis=-1)
    return x, (vals * marks).sum(axis=1)


def variable_lengths(rng: np.random.Generator, n: int, min_len: int, max_len: int,
                     realistic: bool = False) -> np.ndarray:
    """Sequence lengths (N,) int64 in [min_len, max_len].

    realistic=True draws a right-skewed (log-normal) distribution, like sentence lengths: many
    short sequences and a long tail.
    """
    if realistic:
        raw = rng.lognormal(mean=np.log((min_len + max_len) / 4), sigma=0.6, size=n)
        return np.clip(np.round(raw), min_len, max_len).astype(np.int64)
    return rng.integers(min_len, max_len + 1, size=n).astype(np.int64)


def variable_length_sequences(rng: np.random.Generator, lengths, D: int):
    """A list of float32 arrays, the i-th of shape (lengths[i], D)."""
    return [rng.standard_normal((int(L), D)).astype(np.float32) for L in lengths]


def right_context_tags(rng: np.random.Generator, n: int, T: int, vocab: int = 6):
    """Tagging that needs the next token: tag[t] = 1 iff token[t + 1] == token[t] (last tag 0).

    Returns tokens (N, T) int64 and tags (N, T) int64. A causal model cannot see token[t + 1].
    """
    x = rng.integers(0, vocab, size=(n, T))
    tags = np.zeros((n, T), dtype=np.int64)
    tags[:, :-1] = (x[:, 1:] == x[:, :-1])
    return x.astype(np.int64), tags
