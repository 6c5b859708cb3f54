"""The remaining user-facing errors, each with the message a learner will read."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest

import nn
from nn import MLP, Adam, data


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: data.make_moons(1), ValueError, "make_moons: n must be an int >= 2, got 1"),
        (lambda: data.make_circles(10, factor=1.5), ValueError,
         "make_circles: factor must be in (0, 1), got 1.5"),
        (lambda: data.batches(np.zeros((3, 2)), np.zeros(2), 2).__next__(), ValueError,
         "batches: 3 samples but 2 labels"),
        (lambda: data.train_test_split(np.zeros((2, 1)), np.zeros(2), 0.9), ValueError,
         "train_test_split: 2 samples are too few to split"),
        (lambda: Adam([nn.Neuron(1).b]).load_state_dict({"t": -1, "m": [0.0], "v": [0.0]}),
         ValueError, "Adam state 't' must be a step count >= 0, got -1"),
        (lambda: Adam([nn.Neuron(1).b]).load_state_dict({"t": 1}), ValueError,
         "Adam state needs both 'm' and 'v'"),
        (lambda: nn.SGD([nn.Neuron(1).b], lr=float("nan")), ValueError,
         "SGD: lr must be a positive number, got nan"),
        (lambda: nn.softmax([]), ValueError, "softmax: needs at least one prediction"),
    ],
)  # fmt: skip
def test_messages(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_to_torch_without_torch_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(
        ImportError, match=re.escape("to_torch/from_torch need PyTorch: pip install")
    ):
        MLP(2, [1]).to_torch()


def test_plots_without_matplotlib_say_how_to_install(monkeypatch):
    from nn import plots

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=re.escape("pip install 'seegrad[plots]'")):
        plots.plot_loss(nn.History(step_loss=[1.0]))
