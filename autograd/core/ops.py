"""The op table: every primitive operation, written once.

Each row (an :class:`Op`) holds the op's forward function and its local derivatives, written
against a small *math backend* ``m`` (``m.exp``, ``m.log``, ``m.step``, ...) so the same rule
runs on plain floats (eager backward), on :class:`~autograd.Value` nodes (higher-order
derivatives with ``grad(..., create_graph=True)``) and on NumPy arrays (the batched executor).

A derivative rule receives ``(m, out, *inputs)`` and returns one local derivative
``d out / d input_i`` per input, in order. Inputs that the op treats as constants (the number in
``x ** 2``, the slope of ``leaky_relu``) get a derivative of ``0.0``.

Adding an op is adding one row to :data:`OPS`; everything else (``Value``, backward, drawings,
the README table and the parametrized tests) reads the table.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .backends import FLOAT_MATH, FloatMath

__all__ = ["FLOAT_MATH", "OPS", "Bilinear", "FloatMath", "Op", "Stacked", "bilinear_row"]

Number = float


@dataclass(frozen=True)
class Bilinear:
    """A row's declaration that it is bilinear, as JAX's ``defbilinear`` declares it:
    f = w1*x1 + ... + wn*xn (+ b with ``bias``), so df/dwi = xi, df/dxi = wi (df/db = 1).

    The declaration is the one place that knows the parents' layout, w1..wn, x1..xn, then b:
    :meth:`parents` lays them out for whoever makes a node (``autograd.dot``, ``autograd.affine``,
    ``nn``'s layer fast path) and :meth:`split` takes them apart for whoever reads one (the float
    reverse loop, ``autograd.compile``'s matrix products). The row's ``forward`` and
    ``derivatives`` are this declaration's (:func:`bilinear_row`), so the browser's forms, which
    are generated from the rules, follow it too.
    """

    bias: bool = False

    def parents(self, weights: Sequence[Any], inputs: Sequence[Any], bias: Any = None) -> tuple:
        """The node's parents: ``(*weights, *inputs)``, then ``bias`` when the row has one."""
        return (*weights, *inputs, bias) if self.bias else (*weights, *inputs)

    def split(self, parents: Sequence[Any]) -> tuple[Sequence[Any], Sequence[Any], Any]:
        """``(weights, inputs, bias)`` from a node's parents (``bias`` None without one); works
        on tuples of Values, of floats and on the rows of a NumPy array alike."""
        n = len(parents) >> 1
        return parents[:n], parents[n : n + n], parents[-1] if self.bias else None

    def forward(self, m: Any, *xs: Any) -> Any:
        """f = Σ wi*xi (+ b): the sum of the products on the backend ``m``, then the bias."""
        weights, inputs, bias = self.split(xs)
        out = m.sum(map(operator.mul, weights, inputs))
        return out if bias is None else out + bias

    def derivatives(self, m: Any, out: Any, *xs: Any) -> tuple:
        """df/dwi = xi, df/dxi = wi (df/db = 1), laid out as the parents are."""
        weights, inputs, _ = self.split(xs)
        return self.parents(inputs, weights, 1.0)

    @property
    def label(self) -> str:
        return "Σ w·x + b" if self.bias else "Σ w·x"

    @property
    def math(self) -> str:
        if self.bias:
            return "f = w1*x1 + ... + wn*xn + b; df/dwi = xi, df/dxi = wi, df/db = 1"
        return "f = w1*x1 + ... + wn*xn; df/dwi = xi, df/dxi = wi"


@dataclass(frozen=True)
class Stacked:
    """A row's rules on its inputs stacked along a first axis: ``forward(np, xs)`` and
    ``derivatives(np, out, xs)`` for ``xs`` of shape (n, ...) holding the n inputs, ``out``
    the forward's result; ``derivatives`` gives the n local derivatives as one array shaped
    like ``xs``. ``autograd.compile`` runs an n-ary row declared so as a few NumPy calls per
    batch instead of several per input. A test holds each declaration to the row's own rules
    on random inputs (tests/autograd/compiler/test_compiled.py)."""

    forward: Callable[[Any, Any], Any]
    derivatives: Callable[[Any, Any, Any], Any]


@dataclass(frozen=True, eq=False)
class Op:
    """One primitive operation.

    Attributes:
        name: key in :data:`OPS` and what ``Value.op`` reports.
        arity: number of inputs; ``-1`` for n-ary ops.
        forward: ``forward(m, *xs) -> out``.
        derivatives: ``derivatives(m, out, *xs) -> tuple`` of d out / d x_i.
        label: short text shown in graph drawings.
        math: f and f' written out for people (README table, drawings, docs).
        syntax: how a user writes it on Values.
        domain: ``(low, high)`` interval per input from which tests draw safe points.
        edge_points: explicit test points (tuples of inputs) near edges, kinks, large magnitudes.
        check: optional ``check(*xs)`` that raises a clear error for inputs outside the domain;
            run before the forward on eager floats so a bad op never enters the graph.
        constant_inputs: indices of inputs the op holds constant (derivative 0 by definition).
        torch: the same function as a PyTorch expression in ``x``, ``y`` (``xs`` for n-ary
            ops; constant inputs arrive as floats), used by the reference tests.

    Structure a consumer may rely on instead of calling the rules (declared, as JAX's
    ``defbilinear`` declares it; a test checks each declaration against the row's own rules):

        additive: f = x1 + ... + xn, every local derivative 1 (an n-ary row). The batched
            executor sums stacked inputs and sends the upstream gradient to each unchanged.
        bilinear: a :class:`Bilinear` declaration (f = Σ wi*xi, + b with its ``bias``), which
            makes the row's rules and holds its parents' layout; the float reverse loop reads
            it instead of the rules, and the executor runs a layer of such nodes as one matrix
            product.
        stacked: a :class:`Stacked` declaration, the row's rules on its inputs stacked into one
            array (``logsumexp``), which the batched executor runs instead of the rules.
        finite_derivatives: for finite inputs the local derivatives are finite and computing
            them raises nothing, so a node whose gradient is exactly 0 sends back only zeros:
            the fast reverse loop skips such nodes.
    """

    name: str
    arity: int
    forward: Callable[..., Any]
    derivatives: Callable[..., tuple]
    label: str
    math: str
    syntax: str
    domain: tuple[tuple[float, float], ...]
    edge_points: tuple[tuple[float, ...], ...] = ()
    check: Callable[..., None] | None = None
    constant_inputs: tuple[int, ...] = ()
    torch: str = ""
    additive: bool = False
    bilinear: Bilinear | None = None
    stacked: Stacked | None = None
    finite_derivatives: bool = False
    float_forward: Callable[..., float] = field(init=False, repr=False)
    float_derivatives: Callable[..., tuple] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if (self.additive or self.bilinear) and self.arity != -1:
            raise ValueError(f"op {self.name!r}: additive and bilinear rows are n-ary (arity -1)")
        declared = self.bilinear
        if declared is not None and (
            self.forward != declared.forward or self.derivatives != declared.derivatives
        ):
            raise ValueError(
                f"op {self.name!r}: a bilinear row's forward and derivatives are its "
                "declaration's (Bilinear.forward and Bilinear.derivatives): see bilinear_row"
            )
        # Bind the float backend once (a C-level partial: one Python call per use, the rule's).
        object.__setattr__(self, "float_forward", functools.partial(self.forward, FLOAT_MATH))
        object.__setattr__(
            self, "float_derivatives", functools.partial(self.derivatives, FLOAT_MATH)
        )

    def __repr__(self) -> str:
        return f"Op({self.name!r})"

    def not_finite(self, xs: Sequence[float]) -> OverflowError:
        """The error for a forward result that is not a finite float, naming op and operands."""
        operands = ", ".join(_fmt(x) for x in xs)
        return OverflowError(f"{self.name}: the result for ({operands}) is not a finite float")


# ---------------------------------------------------------------------------------------------
# Domain checks: raised on eager inputs before a node is made, so the graph never changes.


def _fmt(x: float) -> str:
    return repr(float(x))


def _check_div(x: float, y: float) -> None:
    if y == 0.0:
        raise ZeroDivisionError(f"div: division by zero ({_fmt(x)} / {_fmt(y)})")


def _check_log(x: float) -> None:
    if x <= 0.0:
        raise ValueError(f"log: operand must be positive, got {_fmt(x)}")


def _check_sqrt(x: float) -> None:
    if x < 0.0:
        raise ValueError(f"sqrt: operand must be non-negative, got {_fmt(x)}")


def _check_exp(x: float) -> None:
    if x > 709.782712893384:  # log(max float)
        raise OverflowError(f"exp: result overflows a float for operand {_fmt(x)}")


def _check_pow(x: float, c: float) -> None:
    if x == 0.0 and c < 0.0:
        raise ZeroDivisionError(f"pow: 0 raised to a negative power ({_fmt(x)} ** {_fmt(c)})")
    if x < 0.0 and not float(c).is_integer():
        raise ValueError(
            f"pow: negative base {_fmt(x)} with non-integer exponent {_fmt(c)} is not real"
        )
    _check_pow_overflow(x, c)


def _check_pow_value(x: float, y: float) -> None:
    if x < 0.0:
        raise ValueError(
            f"pow: base must be non-negative when the exponent is a Value, got {_fmt(x)} "
            f"(d/dy x**y = x**y * log x); use a plain number as the exponent"
        )
    if x == 0.0 and y <= 0.0:
        raise ZeroDivisionError(
            f"pow: 0 raised to a non-positive Value exponent ({_fmt(x)} ** {_fmt(y)})"
        )
    _check_pow_overflow(x, y)


def _check_scaled_log(x: float, c: float) -> None:
    if x < 0.0 or (x == 0.0 and c != 0.0):
        raise ValueError(
            f"scaled_log: c * ln x needs x > 0 (x = 0 only with c = 0), got x = {_fmt(x)}, "
            f"c = {_fmt(c)}; in binary_cross_entropy that is a probability outside [0, 1], or "
            "exactly 0 or 1 against the other label: use binary_cross_entropy_with_logits on "
            "the logit (the input of the sigmoid), which is stable"
        )


def _log_sum_exp(m: Any, xs: tuple) -> Any:
    """ln Σ e^x_i = top + ln Σ e^(x_i - top), with top the largest input: no exponent is
    positive, so it is finite for any finite inputs (the shift cancels; nothing flows into it)."""
    top = m.max(xs)
    return top + m.log(m.sum([m.exp(x - top) for x in xs]))


def _stacked_log_sum_exp(np: Any, xs: Any) -> Any:
    """:func:`_log_sum_exp` on inputs stacked along the first axis (NumPy)."""
    top = xs.max(axis=0)
    return top + np.log(np.exp(xs - top).sum(axis=0))


def _check_pow_overflow(x: float, y: float) -> None:
    try:
        x**y
    except OverflowError:
        raise OverflowError(f"pow: result overflows a float ({_fmt(x)} ** {_fmt(y)})") from None


# ---------------------------------------------------------------------------------------------
# The table. Rules use only the backend `m` and arithmetic, so they run on floats, Values and
# NumPy arrays alike.

_WIDE = (-3.0, 3.0)
_POSITIVE = (0.1, 4.0)

OPS: dict[str, Op] = {}


def _row(op: Op) -> Op:
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} is already in the table")
    OPS[op.name] = op
    return op


ADD = _row(
    Op(
        "add",
        2,
        forward=lambda m, x, y: x + y,
        derivatives=lambda m, out, x, y: (1.0, 1.0),
        label="+",
        syntax="x + y",
        math="f = x + y; df/dx = 1, df/dy = 1",
        domain=(_WIDE, _WIDE),
        edge_points=((1e8, -1e8),),
        torch="x + y",
        finite_derivatives=True,
    )
)
SUB = _row(
    Op(
        "sub",
        2,
        forward=lambda m, x, y: x - y,
        derivatives=lambda m, out, x, y: (1.0, -1.0),
        label="-",
        syntax="x - y",
        math="f = x - y; df/dx = 1, df/dy = -1",
        domain=(_WIDE, _WIDE),
        torch="x - y",
        finite_derivatives=True,
    )
)
MUL = _row(
    Op(
        "mul",
        2,
        forward=lambda m, x, y: x * y,
        derivatives=lambda m, out, x, y: (y, x),
        label="*",
        syntax="x * y",
        math="f = x * y; df/dx = y, df/dy = x",
        domain=(_WIDE, _WIDE),
        edge_points=((0.0, 2.0), (1e6, -1e-6)),
        torch="x * y",
        finite_derivatives=True,
    )
)
DIV = _row(
    Op(
        "div",
        2,
        forward=lambda m, x, y: x / y,
        derivatives=lambda m, out, x, y: (1.0 / y, -out / y),
        label="/",
        syntax="x / y",
        math="f = x / y; df/dx = 1/y, df/dy = -x/y^2",
        domain=(_WIDE, _POSITIVE),
        edge_points=((1.0, -0.5), (3.0, 1e-3)),
        check=_check_div,
        torch="x / y",
    )
)
NEG = _row(
    Op(
        "neg",
        1,
        forward=lambda m, x: -x,
        derivatives=lambda m, out, x: (-1.0,),
        label="neg",
        syntax="-x",
        math="f = -x; f' = -1",
        domain=(_WIDE,),
        torch="-x",
        finite_derivatives=True,
    )
)
POW = _row(
    Op(
        "pow",
        2,
        forward=lambda m, x, c: m.pow(x, m.const(c)),
        derivatives=lambda m, out, x, c: (m.power_rule(x, m.const(c)), 0.0),
        label="**",
        syntax="x ** c (c a number)",
        math="f = x^c (c constant); f' = c * x^(c-1) (0 when c = 0)",
        domain=(_POSITIVE, (-2.5, 3.5)),
        edge_points=((-1.5, 2.0), (-2.0, 3.0), (0.0, 2.0)),
        check=_check_pow,
        constant_inputs=(1,),
        torch="x ** y",
    )
)
POW_VALUE = _row(
    Op(
        "pow_value",
        2,
        forward=lambda m, x, y: m.pow(x, y),
        derivatives=lambda m, out, x, y: (y * m.pow(x, y - 1.0), out * m.log(x)),
        label="**",
        syntax="x ** y (y a Value)",
        math="f = x^y; df/dx = y * x^(y-1), df/dy = x^y * log x",
        domain=(_POSITIVE, (-2.0, 2.0)),
        edge_points=((1.0, 3.0), (25.0, 0.5)),
        check=_check_pow_value,
        torch="x ** y",
    )
)
ABS = _row(
    Op(
        "abs",
        1,
        forward=lambda m, x: m.abs(x),
        derivatives=lambda m, out, x: (m.sign(x),),
        label="abs",
        syntax="abs(x)",
        math="f = |x|; f' = sign(x) (0 at 0)",
        domain=(_WIDE,),
        edge_points=((-1e-3,), (1e-3,)),
        torch="x.abs()",
        finite_derivatives=True,
    )
)
EXP = _row(
    Op(
        "exp",
        1,
        forward=lambda m, x: m.exp(x),
        derivatives=lambda m, out, x: (out,),
        label="exp",
        syntax="x.exp()",
        math="f = e^x; f' = e^x",
        domain=(_WIDE,),
        edge_points=((-700.0,), (20.0,)),
        check=_check_exp,
        torch="x.exp()",
        finite_derivatives=True,
    )
)
LOG = _row(
    Op(
        "log",
        1,
        forward=lambda m, x: m.log(x),
        derivatives=lambda m, out, x: (1.0 / x,),
        label="log",
        syntax="x.log()",
        math="f = ln x; f' = 1/x",
        domain=(_POSITIVE,),
        edge_points=((1e-4,), (1e6,)),
        check=_check_log,
        torch="x.log()",
    )
)
SQRT = _row(
    Op(
        "sqrt",
        1,
        forward=lambda m, x: m.sqrt(x),
        derivatives=lambda m, out, x: (0.5 / out,),
        label="sqrt",
        syntax="x.sqrt()",
        math="f = sqrt(x); f' = 1 / (2 sqrt(x))",
        domain=(_POSITIVE,),
        edge_points=((1e-4,), (1e6,)),
        check=_check_sqrt,
        torch="x.sqrt()",
    )
)
TANH = _row(
    Op(
        "tanh",
        1,
        forward=lambda m, x: m.tanh(x),
        derivatives=lambda m, out, x: (1.0 - out * out,),
        label="tanh",
        syntax="x.tanh()",
        math="f = tanh x; f' = 1 - tanh^2 x",
        domain=(_WIDE,),
        edge_points=((1e4,), (-1e4,), (0.0,)),
        torch="x.tanh()",
        finite_derivatives=True,
    )
)
SIGMOID = _row(
    Op(
        "sigmoid",
        1,
        forward=lambda m, x: m.sigmoid(x),
        derivatives=lambda m, out, x: (out * (1.0 - out),),
        label="σ",
        syntax="x.sigmoid()",
        math="f = σ(x) = 1 / (1 + e^-x); f' = σ(x) (1 - σ(x))",
        domain=(_WIDE,),
        edge_points=((1e4,), (-1e4,), (0.0,)),
        torch="x.sigmoid()",
        finite_derivatives=True,
    )
)
RELU = _row(
    Op(
        "relu",
        1,
        forward=lambda m, x: m.relu(x),
        derivatives=lambda m, out, x: (m.step(x),),
        label="ReLU",
        syntax="x.relu()",
        math="f = max(0, x); f' = 1 if x > 0 else 0",
        domain=(_WIDE,),
        edge_points=((-1e-3,), (1e-3,)),
        torch="x.relu()",
        finite_derivatives=True,
    )
)
LEAKY_RELU = _row(
    Op(
        "leaky_relu",
        2,
        forward=lambda m, x, s: m.relu(x) - m.const(s) * m.relu(-x),
        derivatives=lambda m, out, x, s: (
            m.const(s) + (1.0 - m.const(s)) * m.step(x),
            0.0,
        ),
        label="leaky ReLU",
        syntax="x.leaky_relu(slope=0.01)",
        math="f = x if x > 0 else s*x (s constant); f' = 1 if x > 0 else s",
        domain=(_WIDE, (0.01, 0.3)),
        edge_points=((-1e-3, 0.01), (1e-3, 0.2)),
        constant_inputs=(1,),
        torch="torch.nn.functional.leaky_relu(x, y)",
        finite_derivatives=True,
    )
)
SOFTPLUS = _row(
    Op(
        "softplus",
        1,
        forward=lambda m, x: m.softplus(x),
        derivatives=lambda m, out, x: (m.sigmoid(x),),
        label="softplus",
        syntax="x.softplus()",
        math="f = ln(1 + e^x); f' = σ(x)",
        domain=(_WIDE,),
        edge_points=((1e4,), (-1e4,), (30.0,), (-30.0,)),
        torch="torch.nn.functional.softplus(x)",
        finite_derivatives=True,
    )
)
SIN = _row(
    Op(
        "sin",
        1,
        forward=lambda m, x: m.sin(x),
        derivatives=lambda m, out, x: (m.cos(x),),
        label="sin",
        syntax="x.sin()",
        math="f = sin x; f' = cos x",
        domain=(_WIDE,),
        edge_points=((100.0,),),
        torch="x.sin()",
        finite_derivatives=True,
    )
)
COS = _row(
    Op(
        "cos",
        1,
        forward=lambda m, x: m.cos(x),
        derivatives=lambda m, out, x: (-m.sin(x),),
        label="cos",
        syntax="x.cos()",
        math="f = cos x; f' = -sin x",
        domain=(_WIDE,),
        edge_points=((100.0,),),
        torch="x.cos()",
        finite_derivatives=True,
    )
)
SUM = _row(
    Op(
        "sum",
        -1,
        forward=lambda m, *xs: m.sum(xs),
        derivatives=lambda m, out, *xs: (1.0,) * len(xs),
        label="Σ",
        syntax="autograd.sum([x1, ..., xn])",
        math="f = x1 + ... + xn; df/dxi = 1",
        domain=(_WIDE, _WIDE, _WIDE),
        torch="torch.stack(xs).sum()",
        additive=True,
        finite_derivatives=True,
    )
)


def bilinear_row(name: str, declared: Bilinear, syntax: str, domain: tuple, torch: str) -> Op:
    """A row whose rules, label and math come from its :class:`Bilinear` declaration.
    ``torch`` stays written out: it is the independent reference the tests compare with."""
    return _row(
        Op(
            name,
            -1,
            forward=declared.forward,
            derivatives=declared.derivatives,
            label=declared.label,
            syntax=syntax,
            math=declared.math,
            domain=domain,
            torch=torch,
            bilinear=declared,
            finite_derivatives=True,
        )
    )


DOT = bilinear_row(
    "dot",
    Bilinear(),
    syntax="autograd.dot([w1, ..., wn], [x1, ..., xn])",
    domain=(_WIDE, _WIDE, _WIDE, _WIDE),
    torch="(torch.stack(xs[: len(xs) // 2]) * torch.stack(xs[len(xs) // 2 :])).sum()",
)
AFFINE = bilinear_row(
    "affine",
    Bilinear(bias=True),
    syntax="autograd.affine([w1, ..., wn], [x1, ..., xn], b)",
    domain=(_WIDE, _WIDE, _WIDE, _WIDE, _WIDE),
    torch="(torch.stack(xs[: len(xs) // 2]) * torch.stack(xs[len(xs) // 2 : -1])).sum() + xs[-1]",
)
LOGSUMEXP = _row(
    Op(
        "logsumexp",
        -1,
        forward=lambda m, *xs: _log_sum_exp(m, xs),
        derivatives=lambda m, out, *xs: tuple(m.exp(x - out) for x in xs),
        label="log Σ exp",
        syntax="autograd.logsumexp([x1, ..., xn])",
        math="f = ln(e^x1 + ... + e^xn); df/dxi = e^(xi - f) = softmax_i",
        domain=(_WIDE, _WIDE, _WIDE),
        edge_points=(
            (710.0, 709.0, -5.0),
            (1e4, 1e4, 1e4),
            (-1e4, 0.0, 3.0),
            (-800.0, -801.0, -800.0),
        ),
        torch="torch.logsumexp(torch.stack(xs), 0)",
        stacked=Stacked(
            forward=lambda np, xs: _stacked_log_sum_exp(np, xs),
            derivatives=lambda np, out, xs: np.exp(xs - out),  # softmax_i, every i at once
        ),
        finite_derivatives=True,
    )
)
SCALED_LOG = _row(
    Op(
        "scaled_log",
        2,
        forward=lambda m, x, c: m.scaled_log(x, m.const(c)),
        derivatives=lambda m, out, x, c: (m.scaled_reciprocal(x, m.const(c)), 0.0),
        label="c·ln",
        syntax="autograd.scaled_log(x, c) (c a number)",
        math="f = c ln x (c constant; 0 when c = 0, even at x = 0); f' = c / x (0 when c = 0)",
        domain=(_POSITIVE, (-2.0, 2.0)),
        edge_points=((1e-3, 0.0), (1.0, 0.0), (1e-4, 1.0), (1.0, 1.0)),
        check=_check_scaled_log,
        constant_inputs=(1,),
        torch="torch.xlogy(y, x)",
    )
)
