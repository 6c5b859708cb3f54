"""The op table's rows written out in JavaScript, by running each row on a backend whose values
are JavaScript expressions.

A row's ``forward(m, *xs)`` and ``derivatives(m, out, *xs)`` use only ``m`` and arithmetic
(see :mod:`autograd.core.backends`). Run on :class:`JsMath`, where every value is a :class:`Js`
(a piece of JavaScript source), the rule returns the JavaScript of its own formula: ``mul``'s
derivatives become ``[xs[1], xs[0]]``. So the browser's forms are never typed by hand, and
editing a row in Python changes the page.

The conventions at the kinks live once per language: in :mod:`autograd.core.backends` for
Python and in ``assets/jsmath.js`` (``M.step``, ``M.power_rule``, ...) for JavaScript. A rule
that leaves ``m`` (``math.exp``, a Python ``if`` on an input) cannot be written out: it gets no
form, and the explorer recomputes it through the kernel.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.ops import Op


class NotExpressibleError(TypeError):
    """A rule did something a JavaScript expression cannot follow (branch on an input, call a
    function outside ``m``)."""


def literal(x: float) -> str:
    """A Python number as JavaScript source."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise NotExpressibleError(f"{x!r} is not a number")
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "(-Infinity)"
    text = repr(x)
    return f"({text})" if x < 0 else text


def js(x: Any) -> Js:
    """``x`` (a :class:`Js` or a Python number) as a :class:`Js`."""
    return x if isinstance(x, Js) else Js(literal(x))


@dataclass(frozen=True)
class Js:
    """A JavaScript expression; arithmetic on it builds bigger expressions (parenthesized, so
    precedence never needs thought)."""

    source: str

    def _binary(self, other: Any, symbol: str, reflected: bool = False) -> Js:
        a, b = (js(other), self) if reflected else (self, js(other))
        return Js(f"({a.source} {symbol} {b.source})")

    def __add__(self, other: Any) -> Js:
        return self._binary(other, "+")

    def __radd__(self, other: Any) -> Js:
        return self._binary(other, "+", True)

    def __sub__(self, other: Any) -> Js:
        return self._binary(other, "-")

    def __rsub__(self, other: Any) -> Js:
        return self._binary(other, "-", True)

    def __mul__(self, other: Any) -> Js:
        return self._binary(other, "*")

    def __rmul__(self, other: Any) -> Js:
        return self._binary(other, "*", True)

    def __truediv__(self, other: Any) -> Js:
        return self._binary(other, "/")

    def __rtruediv__(self, other: Any) -> Js:
        return self._binary(other, "/", True)

    def __neg__(self) -> Js:
        return Js(f"(-{self.source})")

    def __pos__(self) -> Js:
        return self

    def __bool__(self) -> bool:
        raise NotExpressibleError("a rule branches on an input (a Python if or comparison)")

    def __float__(self) -> float:
        raise NotExpressibleError("a rule turns an input into a Python float")

    __index__ = __float__  # type: ignore[assignment]


class JsMath:
    """The backend whose values are JavaScript expressions: each function of ``m`` becomes the
    same function of the page's ``M`` (``assets/jsmath.js``). Repeated subexpressions that
    would grow with the number of inputs (``max``) are bound once to a local name."""

    def __init__(self) -> None:
        self.bindings: list[str] = []

    def _bind(self, source: str) -> Js:
        name = f"t{len(self.bindings)}"
        self.bindings.append(f"const {name} = {source};")
        return Js(name)

    @staticmethod
    def _call(name: str, *args: Any) -> Js:
        return Js(f"M.{name}({', '.join(js(a).source for a in args)})")

    def exp(self, x: Any) -> Js:
        return self._call("exp", x)

    def log(self, x: Any) -> Js:
        return self._call("log", x)

    def sqrt(self, x: Any) -> Js:
        return self._call("sqrt", x)

    def tanh(self, x: Any) -> Js:
        return self._call("tanh", x)

    def sin(self, x: Any) -> Js:
        return self._call("sin", x)

    def cos(self, x: Any) -> Js:
        return self._call("cos", x)

    def sigmoid(self, x: Any) -> Js:
        return self._call("sigmoid", x)

    def softplus(self, x: Any) -> Js:
        return self._call("softplus", x)

    def step(self, x: Any) -> Js:
        return self._call("step", x)

    def sign(self, x: Any) -> Js:
        return self._call("sign", x)

    def abs(self, x: Any) -> Js:
        return self._call("abs", x)

    def relu(self, x: Any) -> Js:
        return self._call("relu", x)

    def pow(self, x: Any, y: Any) -> Js:
        return self._call("pow", x, y)

    def power_rule(self, x: Any, c: Any) -> Js:
        return self._call("power_rule", x, c)

    def scaled_log(self, x: Any, c: Any) -> Js:
        return self._call("scaled_log", x, c)

    def scaled_reciprocal(self, x: Any, c: Any) -> Js:
        return self._call("scaled_reciprocal", x, c)

    def sum(self, xs: Iterable[Any]) -> Js:
        return Js(f"M.fsum([{', '.join(js(x).source for x in xs)}])")

    def max(self, xs: Sequence[Any]) -> Js:
        return self._bind(f"Math.max({', '.join(js(x).source for x in xs)})")

    @staticmethod
    def const(x: Any) -> Any:
        return x

    @staticmethod
    def operand(node: Any) -> Any:
        raise NotExpressibleError("operand() reads a graph node, which the page does not have")


@dataclass(frozen=True)
class Generated:
    """One row at one arity in JavaScript: function bodies (statements ending in ``return``)
    of ``forward(xs)`` and ``derivatives(out, xs)``."""

    forward: str
    derivatives: str


def _body(math_: JsMath, result: Any) -> str:
    return " ".join([*math_.bindings, f"return {result};"])


def generate(op: Op, arity: int) -> Generated:
    """The JavaScript of ``op`` with ``arity`` inputs, read from its rules. Raises
    :class:`NotExpressibleError` when a rule cannot be written out."""
    xs = tuple(Js(f"xs[{k}]") for k in range(arity))
    try:
        forward_math = JsMath()
        out = js(op.forward(forward_math, *xs))
        derivative_math = JsMath()
        local = op.derivatives(derivative_math, Js("out"), *xs)
        local = [js(d).source for d in local]
    except NotExpressibleError:
        raise
    except Exception as error:  # a rule written for floats only (math.exp, float(x), ...)
        raise NotExpressibleError(f"{op.name}: {type(error).__name__}: {error}") from error
    if len(local) != arity:
        raise NotExpressibleError(f"{op.name}: {len(local)} derivatives for {arity} inputs")
    derivatives = _body(derivative_math, f"[{', '.join(local)}]")
    return Generated(_body(forward_math, out.source), derivatives)
