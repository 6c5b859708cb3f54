"""Neural networks on top of `autograd`: modules, losses, optimizers, data and training.

    from nn import MLP, Adam, cross_entropy
    model = MLP(2, [16, 16, 1], seed=0)

``nn.data`` holds the data sets; ``nn.plots`` (matplotlib) draws losses and decision boundaries.
"""

from __future__ import annotations

from . import data
from .io import load, save
from .live import LiveView
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    log_softmax,
    mse_loss,
    softmax,
)
from .module import MLP, Layer, Module, Neuron
from .optim import SGD, Adam, Optimizer
from .train import History, StepInfo, evaluate, fit, predict

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "History",
    "Layer",
    "LiveView",
    "Module",
    "Neuron",
    "Optimizer",
    "StepInfo",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "data",
    "evaluate",
    "fit",
    "hinge_loss",
    "load",
    "log_softmax",
    "mse_loss",
    "predict",
    "save",
    "softmax",
]
