"""Compare reverse-mode derivatives with numerical ones (or with forward mode).

``gradcheck(f, inputs)`` checks every d f / d x_i from ``backward()`` against a central
difference. Options widen what is checked:

- ``order=2`` also checks the second derivatives that ``grad(..., create_graph=True)`` gives
  against differences of the first derivatives;
- ``mode="random"`` checks one random direction v through all inputs at once, ∇f · v against
  (f(x + εv) - f(x - εv)) / 2ε: two evaluations of f however many inputs it has;
- ``mode="forward"`` compares reverse mode with forward mode (:func:`autograd.jvp`), which
  must agree up to rounding;
- ``method="richardson"`` extrapolates central differences and widens each tolerance by the
  extrapolation's own error estimate.

On failure the :class:`GradcheckError` names each mismatch with a hint, and its ``culprit`` is
the first node (in topological order) whose own local derivative disagrees with a finite
difference of its op alone: ``draw_dot(error.root, highlight=error.culprit)`` shows where.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from ..core.backward import topological_order
from ..core.forward import tangents_of
from ..core.gradients import grad
from ..core.value import Constant, Value
from . import localcheck
from .differences import METHODS, derivative, start_step
from .localcheck import Mismatch

__all__ = ["MODES", "GradcheckError", "Mismatch", "find_culprit", "gradcheck"]

MODES = ("full", "random", "forward")


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` (and ``check_op``) with one report line per mismatch.

    Attributes:
        failures: the mismatches (:class:`Mismatch`: what, point, analytic, numeric, tolerance).
        culprit: the first node whose own local derivative disagrees with a finite difference of
            its op alone, or None when every node's rule agrees (a cut graph, a kink, ...).
        root: the output of ``f`` at the checked point (the graph the culprit belongs to).
    """

    def __init__(
        self,
        message: str,
        failures: Sequence[Mismatch] = (),
        culprit: Value | None = None,
        root: Value | None = None,
    ) -> None:
        super().__init__(message)
        self.failures = list(failures)
        self.culprit = culprit
        self.root = root


def _evaluate(f: Callable[..., Value], point: Sequence[float]) -> float:
    # Not under no_grad: f may itself differentiate (grad(..., create_graph=True) inside f).
    return _check_output(f(*[Value(x) for x in point])).data


def _gradient(f: Callable[..., Value], point: Sequence[float]) -> list[float]:
    """∇f at ``point`` from reverse mode on floats."""
    leaves = [Value(x) for x in point]
    return [g.data for g in grad(_check_output(f(*leaves)), leaves)]


def _check_output(out: object) -> Value:
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    return out


def _check_options(
    order: object, mode: object, method: object, eps: object, atol: object, rtol: object
) -> None:
    if order not in (1, 2) or isinstance(order, bool):
        raise ValueError(f"gradcheck: order must be 1 or 2, got {order!r}")
    if mode not in MODES:
        raise ValueError(
            f"gradcheck: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}"
        )
    if method not in METHODS:
        raise ValueError(
            f"gradcheck: method must be one of {', '.join(map(repr, METHODS))}, got {method!r}"
        )
    if not isinstance(eps, (int, float)) or not 0.0 < eps < 1.0:
        raise ValueError(f"gradcheck: eps must be a number between 0 and 1, got {eps!r}")
    localcheck.check_tolerances("gradcheck", atol, rtol)


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    *,
    order: int = 1,
    mode: str = "full",
    method: str = "central",
    seed: int = 0,
) -> bool:
    """Check the derivatives of ``f`` at ``inputs``; True, or :class:`GradcheckError`.

    ``f`` takes one Value per number in ``inputs`` and returns a Value. A quantity passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|`` (plus 10 times the error estimate with
    ``method="richardson"``); ``atol`` and ``rtol`` are finite numbers >= 0. No ``.grad`` that
    existed before the call changes (parameters ``f`` closes over included).

    Args:
        eps: the central-difference step (Richardson starts at 5 % of the point's size and
            halves the step seven times).
        order: 1 checks first derivatives; 2 also the second ones, from
            ``grad(grad(f), create_graph=True)``, against differences of the first.
        mode: "full" checks each input on its own (2 evaluations of f per input); "random"
            checks one random direction through all inputs (2 evaluations in all; ``seed``
            picks it); "forward" compares reverse mode with forward mode (no differences).
        method: "central" or "richardson" (see :mod:`autograd.differences`).

    The error lists each failing quantity (input index or direction, the point, analytic and
    numeric value, the tolerance, a hint) and names the culprit node when one is found.
    """
    _check_options(order, mode, method, eps, atol, rtol)
    point = [float(Value(x).data) for x in inputs]
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(point)]
    out = _check_output(f(*leaves))
    analytic = _reverse_gradient(out, leaves)
    context = _Context(f, point, leaves, out, eps, atol, rtol, method, seed)
    failures = context.first_order(mode, analytic)
    second_failed = False
    if order == 2 and not failures:
        failures = context.second_order(mode)
        second_failed = bool(failures)
    if not failures:
        return True
    found = find_culprit(out, atol, rtol, second_order=second_failed)
    culprit = found[0] if found else None
    lines = [str(m) for m in failures]
    message = f"gradcheck failed for {len(failures)} of {context.count}:"
    message += "\n- " + "\n- ".join(lines)
    if found:
        node, mismatch = found
        message += (
            f"\nCulprit: the {node.op} node {_describe(node)} (first in topological order whose "
            f"own local derivative is wrong): {mismatch}"
            "\nSee it: draw_dot(error.root, highlight=error.culprit, edge_labels=True)."
        )
    raise GradcheckError(message, failures, culprit, out)


def _reverse_gradient(out: Value, leaves: list[Value]) -> list[float]:
    """d out / d leaf for each leaf from ``out.backward()`` (the engine users run), leaving the
    ``.grad`` of every Value that existed before ``f`` was called as it was.

    A Value that depends on one of ``leaves`` was made by this call of ``f``; it keeps its new
    gradient, so ``draw_dot(error.root)`` shows them. Every other Value (a parameter ``f``
    closes over, a node computed outside ``f``) gets its ``.grad`` back.
    """
    order = topological_order(out)
    moving = {id(leaf) for leaf in leaves}
    for node in order:  # parents first: one pass marks everything the leaves reach
        if any(id(p) in moving for p in node.parents):
            moving.add(id(node))
    others = [node for node in order if id(node) not in moving]
    saved = [node.grad for node in others]
    try:
        out.backward()
        return [leaf.grad for leaf in leaves]
    finally:
        for node, g in zip(others, saved):
            node.grad = g


class _Context:
    """What one gradcheck call compares, shared by its first- and second-order steps."""

    def __init__(
        self,
        f: Callable[..., Value],
        point: list[float],
        leaves: list[Value],
        out: Value,
        eps: float,
        atol: float,
        rtol: float,
        method: str,
        seed: int,
    ) -> None:
        self.f, self.point, self.leaves, self.out = f, point, leaves, out
        self.eps, self.atol, self.rtol, self.method = eps, atol, rtol, method
        self.count = f"{len(point)} inputs"
        rng = random.Random(seed)
        direction = [rng.gauss(0.0, 1.0) for _ in point]
        norm = math.sqrt(math.fsum(v * v for v in direction)) or 1.0
        self.direction = [v / norm for v in direction]
        self.seed = seed

    def tolerance(self, reference: float, error: float = 0.0) -> float:
        return localcheck.tolerance(reference, error, self.atol, self.rtol)

    def along(self, direction: Sequence[float]) -> Callable[[float], list[float]]:
        """t -> [f(x + t d)]."""
        point = self.point
        return lambda t: [_evaluate(self.f, [x + t * d for x, d in zip(point, direction)])]

    def gradient_along(self, direction: Sequence[float]) -> Callable[[float], list[float]]:
        """t -> ∇f(x + t d), from reverse mode on floats."""
        point = self.point
        return lambda t: _gradient(self.f, [x + t * d for x, d in zip(point, direction)])

    def derivative(
        self, along: Callable[[float], list[float]], direction: Sequence[float]
    ) -> tuple[list[float], list[float]]:
        """d/dt of ``along`` at 0, and error estimates; Richardson's first step is sized by the
        inputs that move."""
        size = [x for x, d in zip(self.point, direction) if d != 0.0]
        return derivative(along, self.method, self.eps, start_step(size))

    def unit(self, i: int) -> list[float]:
        return [1.0 if k == i else 0.0 for k in range(len(self.point))]

    # -- first derivatives ---------------------------------------------------------------------

    def first_order(self, mode: str, analytic: list[float]) -> list[Mismatch]:
        point, found = tuple(self.point), []
        if mode == "random":
            self.count = f"1 random direction through {len(point)} inputs"
            (numeric,), (error,) = self.derivative(self.along(self.direction), self.direction)
            value = math.fsum(g * v for g, v in zip(analytic, self.direction))
            if abs(value - numeric) > self.tolerance(numeric, error):
                found.append(
                    Mismatch(
                        f"∇f · v along a random unit direction v (seed={self.seed})",
                        point,
                        value,
                        numeric,
                        self.tolerance(numeric, error),
                        "Hint: mode='full' names the inputs; the culprit below names the node.",
                    )
                )
            return found
        if mode == "forward":
            for i in range(len(point)):
                (tangent,) = tangents_of([self.out], self.leaves, self.unit(i))
                if abs(analytic[i] - tangent) > self.tolerance(tangent):
                    found.append(
                        Mismatch(
                            f"input {i}",
                            point,
                            analytic[i],
                            tangent,
                            self.tolerance(tangent),
                            "Both modes read the same rules: the reverse walk itself differs.",
                            ("reverse", "forward"),
                        )
                    )
            return found
        reached = {id(node) for node in topological_order(self.out)}
        for i in range(len(point)):
            (numeric,), (error,) = self.derivative(self.along(self.unit(i)), self.unit(i))
            if abs(analytic[i] - numeric) <= self.tolerance(numeric, error):
                continue
            hint = _hint(self.f, self.point, i, self.eps, self.out.data, analytic[i],
                         id(self.leaves[i]) in reached)  # fmt: skip
            found.append(
                Mismatch(
                    f"input {i}",
                    point,
                    analytic[i],
                    numeric,
                    self.tolerance(numeric, error),
                    hint,
                )
            )
        return found

    # -- second derivatives --------------------------------------------------------------------

    def second_order(self, mode: str) -> list[Mismatch]:
        point, leaves = tuple(self.point), self.leaves
        firsts = grad(self.out, leaves, create_graph=True)
        found = []
        if mode == "random":
            # H v from reverse over reverse, against differences of ∇f along v.
            v = self.direction
            projected = firsts[0] * v[0]
            for g, d in zip(firsts[1:], v[1:]):
                projected = projected + g * d
            hessian_v = [h.data for h in grad(projected, leaves)]
            numeric, errors = self.derivative(self.gradient_along(v), v)
            for i, (value, reference, error) in enumerate(zip(hessian_v, numeric, errors)):
                if abs(value - reference) > self.tolerance(reference, error):
                    found.append(
                        Mismatch(
                            f"(H v)[{i}] along a random unit direction v (seed={self.seed})",
                            point,
                            value,
                            reference,
                            self.tolerance(reference, error),
                        )
                    )
            return found
        rows = [[h.data for h in grad(first, leaves)] for first in firsts]
        for j in range(len(point)):
            if mode == "forward":
                # Forward over reverse: the tangents of ∇f along e_j, i.e. column j of H.
                column = tangents_of(firsts, leaves, self.unit(j))
                errors = [0.0] * len(column)
                reference_name = "forward over reverse"
            else:
                column, errors = self.derivative(self.gradient_along(self.unit(j)), self.unit(j))
                reference_name = "differences of the gradient"
            for i in range(len(point)):
                value, reference = rows[i][j], column[i]
                if abs(value - reference) > self.tolerance(reference, errors[i]):
                    found.append(
                        Mismatch(
                            f"d² f / dx{i} dx{j} (create_graph) against {reference_name}",
                            point,
                            value,
                            reference,
                            self.tolerance(reference, errors[i]),
                        )
                    )
        self.count = f"{len(point) ** 2} second derivatives"
        return found


def find_culprit(
    root: Value, atol: float = 1e-6, rtol: float = 1e-4, *, second_order: bool = False
) -> tuple[Value, Mismatch] | None:
    """The first node (topological order) whose own local derivative disagrees with a
    finite difference of its op alone, with the disagreement; None when all agree.

    With ``second_order`` the first derivatives of every node are checked first, then the
    second derivatives of the rules run on Values.
    """
    localcheck.check_tolerances("find_culprit", atol, rtol)
    nodes = [node for node in topological_order(root) if not node.is_leaf]
    checks = [localcheck.first_order]
    if second_order:
        checks.append(localcheck.second_order)
    for check in checks:
        for node in nodes:  # each node's own row, whatever the table now holds under its name
            try:
                found = check(node._op, [p.data for p in node.parents], atol, rtol)
            except (ValueError, ZeroDivisionError, OverflowError):
                continue  # the op alone cannot be evaluated around this point
            if found:
                return node, found[0]
    return None


def _describe(node: Value) -> str:
    """``name = op(inputs)``: each input by its label, else as ``<op = number>`` or a number."""

    def show(p: Value) -> str:
        if p.label:
            return p.label
        return repr(p.data) if p.is_leaf else f"<{p.op} = {p.data:.6g}>"

    name = f"{node.label} = " if node.label else ""
    return f"{name}{node.op}({', '.join(show(p) for p in node.parents)})"


def _leaves(f: Callable[..., Value], point: list[float]) -> dict[int, Value]:
    inputs = [Value(x) for x in point]
    out = f(*inputs)
    skip = {id(x) for x in inputs}
    # Keep the nodes themselves alive so no id is reused between two calls.
    return {
        id(node): node
        for node in topological_order(out)
        if node.is_leaf and not isinstance(node, Constant) and id(node) not in skip
    }


def _makes_new_leaves(f: Callable[..., Value], point: list[float]) -> bool:
    """Parameters are the same objects on every call; leaves made inside f are new each time."""
    first, second = _leaves(f, point), _leaves(f, point)
    return bool(second.keys() - first.keys())


def _hint(
    f: Callable[..., Value],
    point: list[float],
    i: int,
    eps: float,
    center: float,
    analytic: float,
    reached: bool,
) -> str:
    if not reached:
        return (
            "Hint: the output does not depend on this input through Values: the graph was cut, "
            "e.g. by using .data or float() on a Value inside f."
        )
    shifted = list(point)
    shifted[i] = point[i] + eps
    upper = _evaluate(f, shifted)
    shifted[i] = point[i] - eps
    lower = _evaluate(f, shifted)
    right = (upper - center) / eps
    left = (center - lower) / eps
    if abs(right - left) > 1e-3 * max(1.0, abs(right), abs(left)):
        return (
            f"Hint: the one-sided slopes differ ({left:.6g} from the left, {right:.6g} from the "
            "right): f has a kink here (relu or abs at 0?); check at a point off the kink."
        )
    if _makes_new_leaves(f, point):
        return (
            "Hint: f makes new leaf Values on every call (such as Value(x.data)); the gradient "
            "stops there, so the graph is cut. Build the expression from the inputs instead."
        )
    return (
        "Hint: a derivative rule may be wrong, or eps too small/large for this f; "
        "try eps=1e-4, method='richardson' or a looser rtol."
    )
