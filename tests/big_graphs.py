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
