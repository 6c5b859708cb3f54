"""Compare backward's gradients with central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .backward import topological_order
from .value import Constant, Value


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` with one report line per failing input."""


def _evaluate(f: Callable[..., Value], point: Sequence[float]) -> float:
    # Not under no_grad: f may itself differentiate (grad(..., create_graph=True) inside f).
    return _check_output(f(*[Value(x) for x in point])).data


def _check_output(out: object) -> Value:
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    return out


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
) -> bool:
    """Check d f / d x_i from ``backward()`` against ``(f(x + eps e_i) - f(x - eps e_i)) / 2eps``.

    ``f`` takes one Value per number in ``inputs`` and returns a Value. An input passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|``. Returns True when every input passes;
    otherwise raises :class:`GradcheckError` naming each failing input's index, point, analytic
    and numeric gradient, the tolerance, and a hint at the likely cause.
    """
    point = [float(Value(x).data) for x in inputs]
    leaves = [Value(x) for x in point]
    out = _check_output(f(*leaves))
    out.backward()
    reached = {id(node) for node in topological_order(out)}
    failures = []
    for i, leaf in enumerate(leaves):
        analytic = leaf.grad
        shifted = list(point)
        shifted[i] = point[i] + eps
        upper = _evaluate(f, shifted)
        shifted[i] = point[i] - eps
        lower = _evaluate(f, shifted)
        numeric = (upper - lower) / (2.0 * eps)
        tolerance = atol + rtol * abs(numeric)
        if abs(analytic - numeric) <= tolerance:
            continue
        hint = _hint(f, point, i, eps, out.data, upper, lower, analytic, id(leaf) in reached)
        failures.append(
            f"input {i} at x = {point}: analytic {analytic!r}, numeric {numeric!r}, "
            f"|difference| {abs(analytic - numeric):.3g} > tolerance {tolerance:.3g}. {hint}"
        )
    if failures:
        raise GradcheckError(
            f"gradcheck failed for {len(failures)} of {len(point)} inputs:\n- "
            + "\n- ".join(failures)
        )
    return True


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
    upper: float,
    lower: float,
    analytic: float,
    reached: bool,
) -> str:
    if not reached:
        return (
            "Hint: the output does not depend on this input through Values: the graph was cut, "
            "e.g. by using .data or float() on a Value inside f."
        )
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
        "try eps=1e-4 or a looser rtol."
    )
