"""Big graphs for the big explorer's tests and benchmark: an nn.MLP over a batch."""

from __future__ import annotations

import random

import autograd
import nn
from autograd import Value

FIRST = "w_first"  # the label of the model's first weight


def mlp_batch_loss(batch: int, seed: int = 0, first_weight: float | None = None) -> Value:
    """Mean squared error of an 8-16-16-1 MLP over ``batch`` samples: about 78 Values per
    sample (700 samples: 54,336 Values)."""
    model = nn.MLP(8, [16, 16, 1], seed=seed)
    first = model.parameters()[0]
    first.label = FIRST
    if first_weight is not None:
        first.data = first_weight
    rng = random.Random(seed)
    X = [[rng.uniform(-1, 1) for _ in range(8)] for _ in range(batch)]
    y = [rng.choice([-1.0, 1.0]) for _ in range(batch)]
    return autograd.sum([(model(x) - t) ** 2 for x, t in zip(X, y)]) / batch


GPT_DOCUMENT = "isabella"  # 8 letters: 76,879 Values for the scalar GPT's loss


def scalar_gpt():
    """examples/scalar_gpt.py, imported from the repository."""
    import importlib
    import sys
    from pathlib import Path

    examples = str(Path(__file__).resolve().parents[1] / "examples")
    if examples not in sys.path:
        sys.path.insert(0, examples)
    return importlib.import_module("scalar_gpt")


def gpt_document_loss(
    document: str = GPT_DOCUMENT, set_to: dict[str, float] | None = None
) -> Value:
    """One document's loss of examples/scalar_gpt.py, built inside ``record_calls()``.

    The model starts with ``wo`` and ``fc2`` at zero (so attention and the MLP would have no
    gradient); here every weight is drawn from N(0, 0.08^2), as after some training, so that
    every weight has a gradient to compare. ``set_to`` sets weights by label first (a nudge).
    """
    gpt = scalar_gpt()
    tokenizer = gpt.Tokenizer.from_names(gpt.load_names())
    config = gpt.Config(tokenizer.vocab_size)
    params = gpt.Params(config, seed=0)
    params.spread()
    for p in params.values():
        if set_to and p.label in set_to:
            p.data = set_to[p.label]
    with autograd.record_calls():
        return gpt.document_loss(tokenizer.encode(document), params, config)
