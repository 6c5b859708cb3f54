"""Every op of the table against central finite differences, over its domain and edges."""

from __future__ import annotations

import math

import pytest

from autograd import OPS, Value, grad
from autograd.core.ops import Op
from tests.conftest import op_inputs, sample_points

ROWS = list(OPS.values())


def central_difference(op: Op, point: tuple[float, ...], i: int) -> float:
    # The step scales with the point so that large and tiny operands are both resolved.
    h = 1e-6 * max(abs(point[i]), 1e-2)
    up, down = list(point), list(point)
    up[i] += h
    down[i] -= h
    return (op.float_forward(*up) - op.float_forward(*down)) / (2 * h)


@pytest.mark.parametrize("op", ROWS, ids=lambda op: op.name)
def test_first_derivatives_match_central_differences(op: Op) -> None:
    for point in sample_points(op, 25):
        inputs = op_inputs(op, point)
        out = Value.apply(op, *inputs)
        out.backward()
        for i, x in enumerate(inputs):
            if i in op.constant_inputs:
                continue
            numeric = central_difference(op, point, i)
            assert math.isclose(x.grad, numeric, rel_tol=1e-5, abs_tol=1e-6), (
                f"{op.name} at {point}: d/dx{i} analytic {x.grad}, numeric {numeric}"
            )


@pytest.mark.parametrize("op", ROWS, ids=lambda op: op.name)
def test_second_derivatives_match_differences_of_first(op: Op) -> None:
    """d/dxj of the create_graph derivative d f/dxi, against differences of float backward."""
    for point in sample_points(op, 8):
        inputs = op_inputs(op, point)
        free = [i for i in range(len(point)) if i not in op.constant_inputs]
        firsts = grad(Value.apply(op, *inputs), [inputs[i] for i in free], create_graph=True)
        for i, first in zip(free, firsts):
            seconds = grad(first, [inputs[j] for j in free])
            for j, second in zip(free, seconds):
                h = 1e-6 * max(abs(point[j]), 1e-2)

                def first_at(shift: float, i: int = i, j: int = j, point: tuple = point) -> float:
                    moved = list(point)
                    moved[j] += shift
                    leaves = op_inputs(op, tuple(moved))
                    return grad(Value.apply(op, *leaves), [leaves[i]])[0].data

                numeric = (first_at(h) - first_at(-h)) / (2 * h)
                assert math.isclose(second.data, numeric, rel_tol=1e-4, abs_tol=1e-5), (
                    f"{op.name} at {point}: d2/dx{i}dx{j} analytic {second.data}, numeric {numeric}"
                )


@pytest.mark.parametrize("op", ROWS, ids=lambda op: op.name)
def test_row_is_complete(op: Op) -> None:
    """Every row carries what its consumers read: docs, label, domain, a reference."""
    assert op.label and op.syntax and op.torch
    assert ("f" in op.math and "'" in op.math) or "d" in op.math
    assert op.arity == -1 or op.arity == len(op.domain)
    for point in op.edge_points:
        assert len(point) == len(op.domain)


EXTREMES = (0.0, 1.0, -1.0, 5e-324, -5e-324, 1e-300, 700.0, -700.0, 1e4, -1e4, 1e150, -1e150, 1e300)


def finite_derivatives_hold(op: Op) -> bool:
    """What ``finite_derivatives`` declares: wherever the row's forward is a finite float, its
    local derivatives are finite floats and computing them raises nothing. Tried on random
    points, the edge points and every pairing of extreme magnitudes with them."""
    points = sample_points(op, 200)
    for point in list(points):
        for i in range(len(point)):
            points += [(*point[:i], x, *point[i + 1 :]) for x in EXTREMES]
    for point in points:
        try:
            if op.check is not None:
                op.check(*point)  # outside the domain: no node is ever made there
            out = op.float_forward(*point)
        except (ArithmeticError, ValueError):
            continue
        if not math.isfinite(out):
            continue
        try:
            local = op.float_derivatives(out, *point)
        except (ArithmeticError, ValueError):
            return False
        if not all(math.isfinite(d) for d in local):
            return False
    return True


@pytest.mark.parametrize("op", [op for op in ROWS if op.finite_derivatives], ids=lambda op: op.name)
def test_declared_finite_derivatives_hold(op: Op) -> None:
    assert finite_derivatives_hold(op)


@pytest.mark.parametrize("name", ["div", "sqrt", "log", "pow"])
def test_the_finite_derivatives_check_can_fail(name: str) -> None:
    """Rows whose derivative blows up inside their domain (1/y², 1/(2 sqrt x), 1/x, c x^(c-1))
    fail the check, so a wrong declaration would be caught; they do not declare it."""
    assert not OPS[name].finite_derivatives and not finite_derivatives_hold(OPS[name])
