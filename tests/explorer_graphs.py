"""Graphs shared by the explorer tests (tests/autograd/viz/test_explorer.py, tests/browser/)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import Value


def neuron(w1: float = -3.0) -> tuple[Value, dict[str, Value]]:
    """The notes' neuron, o = tanh(x1*w1 + x2*w2 + b), and its leaves by label."""
    leaves = {
        "x1": Value(2.0, label="x1"),
        "x2": Value(0.0, label="x2"),
        "w1": Value(w1, label="w1"),
        "w2": Value(1.0, label="w2"),
        "b": Value(6.8813735870195432, label="b"),
    }
    n = leaves["x1"] * leaves["w1"] + leaves["x2"] * leaves["w2"] + leaves["b"]
    o = n.tanh()
    o.label = "o"
    return o, leaves


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def define_swish(define_op: Callable[..., Any], name: str) -> Any:
    """swish(x) = x σ(x), a user op (``define_op`` is the plugin's fixture) written with
    ``math.exp`` on floats instead of ``m``: its rules cannot be written out in JavaScript, so it
    has no JS form unless one is given by hand."""
    return define_op(
        name,
        lambda m, x: x * _sigmoid(x),
        lambda m, out, x: (_sigmoid(x) + out * (1.0 - _sigmoid(x)),),
        math="f = x σ(x); f' = σ(x) + f (1 - σ(x))",
    )


SWISH_JS = ("x * M.sigmoid(x)", "[M.sigmoid(x) + out * (1 - M.sigmoid(x))]")
