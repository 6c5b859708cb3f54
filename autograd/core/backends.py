"""The math backends: what ``m`` means in the op table's rules.

A row of :data:`autograd.core.ops.OPS` writes its forward and its derivatives against ``m``
(``m.exp(x)``, ``m.step(x)``, ...), so one rule runs on three kinds of number:

* :class:`FloatMath` on plain floats: eager forward and ``backward``;
* :class:`ValueMath` on :class:`~autograd.Value` nodes: the rule builds a graph of its own, so
  ``grad(..., create_graph=True)`` gives derivatives that can be differentiated again;
* :class:`NumpyMath` on NumPy arrays: ``autograd.compile`` runs a rule on a whole batch at once.

The conventions at the kinks are stated here once, and every backend follows them (a test
checks that the three agree at every row's edge points):

* ``step(x)`` is 1 for x > 0, else 0, so relu'(0) = 0 and leaky_relu'(0) = slope (as PyTorch);
* ``sign(x)`` is 1, -1, or 0 at 0, so abs'(0) = 0 (as PyTorch);
* ``power_rule(x, c)`` is c * x^(c-1), and 0 when c = 0 (x^0 is the constant 1, even at x = 0).
* ``scaled_log(x, c)`` is c * ln x and ``scaled_reciprocal(x, c)`` is c / x, both 0 when c = 0,
  even at x = 0 (a term of weight 0 adds nothing: binary cross-entropy at p = 1 with y = 1).
* ``max(xs)`` is the largest input, used only as a shift that cancels (log-sum-exp): on Values
  it is a plain number, so no derivative flows through it.

``step`` and ``sign`` return plain numbers on every backend: their own derivative is 0 wherever
it exists, so a second derivative through them is exactly 0 without a node.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "FLOAT_MATH",
    "VALUE_MATH",
    "FloatMath",
    "NumpyMath",
    "ValueMath",
    "numpy_math",
]


def _stable_sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e^-x) without overflow: e^x / (1 + e^x) when x < 0."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class FloatMath:
    """The backend on plain Python floats (eager forward and backward)."""

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sqrt = staticmethod(math.sqrt)
    tanh = staticmethod(math.tanh)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    sigmoid = staticmethod(_stable_sigmoid)
    # Σ of an iterable of floats, exactly rounded; bound directly (no Python frame in between).
    sum = staticmethod(math.fsum)

    @staticmethod
    def softplus(x: float) -> float:
        """ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|), finite for any x."""
        return max(x, 0.0) + math.log1p(math.exp(-abs(x)))

    @staticmethod
    def step(x: float) -> float:
        return 1.0 if x > 0.0 else 0.0

    @staticmethod
    def sign(x: float) -> float:
        return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)

    @staticmethod
    def abs(x: float) -> float:
        return abs(x)

    @staticmethod
    def relu(x: float) -> float:
        return x if x > 0.0 else 0.0

    @staticmethod
    def pow(x: float, y: float) -> float:
        return x**y

    @staticmethod
    def power_rule(x: float, c: float) -> float:
        return c * x ** (c - 1.0) if c != 0.0 else 0.0

    @staticmethod
    def scaled_log(x: float, c: float) -> float:
        return c * math.log(x) if c != 0.0 else 0.0

    @staticmethod
    def scaled_reciprocal(x: float, c: float) -> float:
        return c / x if c != 0.0 else 0.0

    @staticmethod
    def max(xs: Sequence[float]) -> float:
        return max(xs)

    @staticmethod
    def const(x: float) -> float:
        """The plain number behind an input the op holds constant."""
        return x

    @staticmethod
    def operand(node: Any) -> float:
        """What a rule receives for a graph node: its number."""
        return node.data


class ValueMath:
    """The backend on Values: each call makes graph nodes (through the Value's own methods),
    so derivative rules run here are differentiable in turn."""

    @staticmethod
    def exp(x: Any) -> Any:
        return x.exp()

    @staticmethod
    def log(x: Any) -> Any:
        return x.log()

    @staticmethod
    def sqrt(x: Any) -> Any:
        return x.sqrt()

    @staticmethod
    def tanh(x: Any) -> Any:
        return x.tanh()

    @staticmethod
    def sin(x: Any) -> Any:
        return x.sin()

    @staticmethod
    def cos(x: Any) -> Any:
        return x.cos()

    @staticmethod
    def sigmoid(x: Any) -> Any:
        return x.sigmoid()

    @staticmethod
    def softplus(x: Any) -> Any:
        return x.softplus()

    @staticmethod
    def relu(x: Any) -> Any:
        return x.relu()

    @staticmethod
    def abs(x: Any) -> Any:
        return abs(x)

    @staticmethod
    def sum(xs: Iterable[Any]) -> Any:
        return functools.reduce(operator.add, xs)

    @staticmethod
    def step(x: Any) -> float:
        return FloatMath.step(x.data)

    @staticmethod
    def sign(x: Any) -> float:
        return FloatMath.sign(x.data)

    @staticmethod
    def pow(x: Any, y: Any) -> Any:
        return x**y

    @staticmethod
    def power_rule(x: Any, c: float) -> Any:
        return c * x ** (c - 1.0) if c != 0.0 else 0.0

    @staticmethod
    def scaled_log(x: Any, c: float) -> Any:
        return c * x.log() if c != 0.0 else 0.0

    @staticmethod
    def scaled_reciprocal(x: Any, c: float) -> Any:
        return c / x if c != 0.0 else 0.0

    @staticmethod
    def max(xs: Sequence[Any]) -> float:
        return max(x.data for x in xs)

    @staticmethod
    def const(x: Any) -> float:
        return x.data

    @staticmethod
    def operand(node: Any) -> Any:
        """What a rule receives for a graph node: the node itself."""
        return node


FLOAT_MATH = FloatMath()
VALUE_MATH = ValueMath()

# NumPy is imported on first use only (``import autograd`` stays light): numpy_math() binds it.
np: Any = None


class NumpyMath:
    """The backend on NumPy arrays: every rule runs on a whole batch (``autograd.compile``)."""

    @staticmethod
    def exp(x: Any) -> Any:
        return np.exp(x)

    @staticmethod
    def log(x: Any) -> Any:
        return np.log(x)

    @staticmethod
    def sqrt(x: Any) -> Any:
        return np.sqrt(x)

    @staticmethod
    def tanh(x: Any) -> Any:
        return np.tanh(x)

    @staticmethod
    def sin(x: Any) -> Any:
        return np.sin(x)

    @staticmethod
    def cos(x: Any) -> Any:
        return np.cos(x)

    @staticmethod
    def sigmoid(x: Any) -> Any:
        """σ(x) from e^-|x|, so neither branch can overflow."""
        e = np.exp(-np.abs(x))
        return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))

    @staticmethod
    def softplus(x: Any) -> Any:
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def step(x: Any) -> Any:
        return (x > 0.0).astype(x.dtype)  # in the program's dtype (a float32 run stays float32)

    @staticmethod
    def sign(x: Any) -> Any:
        return np.sign(x)

    @staticmethod
    def abs(x: Any) -> Any:
        return np.abs(x)

    @staticmethod
    def relu(x: Any) -> Any:
        return np.maximum(x, 0.0)  # one pass; a NaN stays NaN (and is then found), never 0

    @staticmethod
    def pow(x: Any, y: Any) -> Any:
        return np.power(x, y)

    @staticmethod
    def power_rule(x: Any, c: Any) -> Any:
        # Where c = 0 the exponent is replaced by 1, so no 0 ** -1 is ever computed.
        return c * np.power(x, np.where(c == 0.0, 1.0, c - 1.0))

    @staticmethod
    def scaled_log(x: Any, c: Any) -> Any:
        # Where c = 0, x is replaced by 1, so no log 0 is ever computed.
        return np.where(c == 0.0, 0.0, c * np.log(np.where(c == 0.0, 1.0, x)))

    @staticmethod
    def scaled_reciprocal(x: Any, c: Any) -> Any:
        return np.where(c == 0.0, 0.0, c / np.where(c == 0.0, 1.0, x))

    @staticmethod
    def max(xs: Sequence[Any]) -> Any:
        return functools.reduce(np.maximum, xs)

    @staticmethod
    def sum(xs: Iterable[Any]) -> Any:
        return functools.reduce(operator.add, xs)

    @staticmethod
    def const(x: Any) -> Any:
        return x

    @staticmethod
    def operand(node: Any) -> Any:
        """What a rule receives for a graph node: its number, as an array."""
        return np.asarray(node.data, dtype=np.float64)


_numpy_math: NumpyMath | None = None


def numpy_math() -> NumpyMath:
    """The NumPy backend, importing NumPy the first time."""
    global np, _numpy_math
    if _numpy_math is None:
        import numpy

        np = numpy
        _numpy_math = NumpyMath()
    return _numpy_math
