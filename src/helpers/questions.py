"""The fifteen questions of the course: number, file, title, level, tags, short answer.

One table serves the question cards, the course index and the progress report.
"""
from __future__ import annotations

from dataclasses import dataclass

LEVEL_COLOURS = {"Easy": "#2e7d32", "Medium": "#f9a825", "Hard": "#c62828"}
TAG_COLOURS = {"Time": "#1565c0", "Hidden": "#6a1b9a", "LSTM": "#00838f", "Seq2seq": "#ef6c00"}


@dataclass(frozen=True)
class Question:
    number: int
    stem: str          # file name without extension, e.g. "03_bptt"
    title: str
    level: str         # Easy / Medium / Hard
    tags: tuple
    answer: str        # two or three sentences, the interview answer
    one_line: str      # one line for the index

    @property
    def notebook(self) -> str:
        return f"{self.stem}.ipynb"

    @property
    def colour(self) -> str:
        return LEVEL_COLOURS[self.level]


QUESTIONS = [
    Question(1, "01_recurrence", "What is a recurrent neural network?", "Easy", ("Time", "Hidden"),
             "A recurrent network carries a hidden state h_t and updates it at every step from the "
             "previous state and the current input, h_t = f(h_{t-1}, x_t). The same weights are used "
             "at every step, so one small model handles sequences of any length.",
             "A hidden state updated step by step with weights shared across time."),
    Question(2, "02_vanilla_rnn", "Write the vanilla RNN update.", "Easy", ("Hidden",),
             "The usual form is h_t = tanh(W_h h_{t-1} + W_x x_t + b): an affine mix of the previous "
             "state and the new input, squashed by a nonlinearity. The result is both the new memory "
             "and the features the layer hands on.",
             "h_t = tanh(W_h h_{t-1} + W_x x_t + b)."),
    Question(3, "03_bptt", "What is backpropagation through time (BPTT)?", "Medium", ("Time",),
             "Unroll the recurrence over its T steps into one acyclic graph and run ordinary "
             "backpropagation on it; every time link carries gradient back, and the gradients of the "
             "shared weights are summed over steps. Memory and compute grow linearly with T.",
             "Backprop on the unrolled graph; shared-weight gradients summed over steps."),
    Question(4, "04_truncated_bptt", "Why truncate BPTT?", "Medium", ("Time",),
             "Backpropagating only through a window of k steps makes each update cheaper and more "
             "stable on long streams, while the hidden state is still carried forward. The price is "
             "credit assignment: no gradient reaches dependencies longer than the window.",
             "Backprop through a window of k steps: cheaper and stabler, blind beyond k."),
    Question(5, "05_vanishing_gradients", "Why do vanilla RNNs struggle with long sequences?", "Medium",
             ("Time", "Hidden"),
             "The gradient to an early state is a product of one Jacobian per step; repeated "
             "multiplication makes it shrink or blow up exponentially with the distance. Vanishing "
             "gradients hide long-range dependencies, exploding ones wreck training (clipping helps).",
             "A product of step Jacobians vanishes or explodes with distance."),
    Question(6, "06_lstm_gates", "Name the LSTM gates and their roles.", "Medium", ("LSTM",),
             "The forget gate decides what to erase from the cell, the input gate what to write, and "
             "the output gate what part of the cell to expose as h. Because the cell is updated "
             "additively, gradients have a path through time that need not shrink.",
             "Forget erases, input writes, output exposes; the additive cell keeps gradients alive."),
    Question(7, "07_gru_vs_lstm", "GRU versus LSTM?", "Easy", ("LSTM",),
             "The GRU folds the forget and input gates into one update gate and has no separate cell "
             "state, so it has three weight blocks instead of four. It often matches the LSTM with "
             "less compute; the LSTM remains the common historical baseline.",
             "GRU: update gate merges forget and input, 3/4 of the LSTM's parameters."),
    Question(8, "08_bidirectional", "What is a bidirectional RNN?", "Easy", ("Hidden",),
             "Two RNNs read the sequence, one left to right and one right to left, and their states "
             "are concatenated at each step, so every position sees its whole context. That suits "
             "tagging, but not causal or online prediction, where the future is not yet known.",
             "Forward and backward RNNs concatenated: full context, not causal."),
    Question(9, "09_seq2seq", "Explain the encoder-decoder (seq2seq) idea.", "Medium", ("Seq2seq",),
             "An encoder RNN compresses the input sequence into a context vector and a decoder RNN "
             "generates the output sequence from it, token by token. It was the basis of early neural "
             "translation before attention took over.",
             "Encoder compresses to a context vector, decoder generates from it."),
    Question(10, "10_teacher_forcing", "What is teacher forcing?", "Medium", ("Seq2seq",),
             "In training the decoder is fed the ground-truth previous token rather than its own "
             "prediction, which makes learning faster and stabler. At test time it must eat its own "
             "outputs (exposure bias); scheduled sampling and similar methods close the gap.",
             "Feed the true previous token in training; scheduled sampling fights exposure bias."),
    Question(11, "11_packing", "Why padding and pack_padded_sequence?", "Hard", ("Hidden",),
             "Sequences of different lengths are padded to batch them; packing tells the RNN the true "
             "lengths so it skips pad steps, wastes no compute on them, and returns final states that "
             "belong to each sequence's last real token.",
             "Pad to batch, pack to skip pads and keep the right final states."),
    Question(12, "12_many_to_one_vs_many", "Many-to-one versus many-to-many: examples?", "Easy",
             ("Hidden", "Seq2seq"),
             "Many-to-one reads a sequence and emits one output, such as the sentiment of a sentence. "
             "Many-to-many emits one output per step, such as part-of-speech tags, or a sequence of "
             "another length, such as a translation (seq2seq).",
             "Sentiment is many-to-one; tagging and translation are many-to-many."),
    Question(13, "13_transformers_vs_rnns", "When do Transformers replace RNNs?", "Medium", ("Seq2seq",),
             "When there is enough data and compute for self-attention: it processes all positions in "
             "parallel and links any two of them in one layer. An RNN must step through time in "
             "order, which is slow on long sequences and parallel hardware.",
             "With enough data and compute: parallel over length, O(1) path between positions."),
    Question(14, "14_cnn_vs_rnn", "1D CNN or RNN for sequences?", "Medium", ("Time",),
             "A 1D convolution stack sees local n-grams and widens its context with depth (or "
             "dilation); it is fast and parallel. RNNs and attention suit long, flexible dependencies "
             "better, depending on the design.",
             "Convs: parallel, context grows with depth; RNNs: flexible long range."),
    Question(15, "15_streaming_rnns", "Name one advantage of the RNN family today.", "Easy", ("Hidden",),
             "Its memory per step is small and constant: a streaming model or a tiny device keeps one "
             "state vector instead of a cache that grows with the input. LSTM baselines remain in use, "
             "even though large language models are Transformer-first.",
             "Constant memory per step: ideal for streaming and small devices."),
]

BY_NUMBER = {q.number: q for q in QUESTIONS}
BY_STEM = {q.stem: q for q in QUESTIONS}

# The closing quick-review checklist: each item and the notebooks that cover it.
REVIEW_CHECKLIST = [
    ("Say what recurrence is and write the vanilla update", (1, 2)),
    ("Backpropagate through time, and say why and how to truncate it", (3, 4)),
    ("Explain vanishing and exploding gradients in vanilla RNNs", (5,)),
    ("Name the LSTM gates and contrast the GRU", (6, 7)),
    ("Use bidirectional RNNs where the whole sequence is known", (8,)),
    ("Build an encoder-decoder and train it with teacher forcing", (9, 10)),
    ("Batch padded sequences and pack them", (11,)),
    ("Pick many-to-one or many-to-many heads for a task", (12,)),
    ("Compare RNNs with Transformers and 1D CNNs, and say where RNNs still win", (13, 14, 15)),
]


def question(key) -> Question:
    """Look a question up by number (3), stem ("03_bptt") or prefix ("03")."""
    if isinstance(key, int):
        return BY_NUMBER[key]
    key = str(key)
    if key in BY_STEM:
        return BY_STEM[key]
    if key.isdigit() and int(key) in BY_NUMBER:
        return BY_NUMBER[int(key)]
    raise KeyError(f"no question {key!r}; expected 1-15 or one of {sorted(BY_STEM)}")
