"""Every op of the table against central finite differences, over its domain and edges."""

from __future__ import annotations

import math

import pytest

from autograd import OPS, Value, grad
from autograd.ops import Op
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
