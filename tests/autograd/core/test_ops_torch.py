"""Every op of the table against PyTorch in float64: values, first and second derivatives."""

from __future__ import annotations

import math

import pytest

from autograd import OPS, Value, grad
from autograd.core.ops import Op
from tests.conftest import op_inputs, sample_points

torch = pytest.importorskip("torch", reason="PyTorch is the reference here; CI installs it")

ROWS = list(OPS.values())


def torch_output(op: Op, point: tuple[float, ...]) -> tuple[object, list]:
    """The op's `torch` expression at `point`; returns (output, the tensors that need grad)."""
    tensors, args = [], []
    for i, x in enumerate(point):
        if i in op.constant_inputs:
            args.append(x)
        else:
            t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            tensors.append(t)
            args.append(t)
    names = {"torch": torch, "xs": args}
    if op.arity != -1:
        names.update(zip(("x", "y"), args))
    return eval(op.torch, names), tensors


def close(ours: float, theirs: float) -> bool:
    return math.isclose(ours, theirs, rel_tol=1e-10, abs_tol=1e-12)


@pytest.mark.parametrize("op", ROWS, ids=lambda op: op.name)
def test_values_and_derivatives_match_torch(op: Op) -> None:
    for point in sample_points(op, 20, seed=1):
        inputs = op_inputs(op, point)
        free = [v for i, v in enumerate(inputs) if i not in op.constant_inputs]
        out = Value.apply(op, *inputs)
        reference, tensors = torch_output(op, point)
        assert close(out.data, reference.item()), f"{op.name}{point}: {out.data} vs {reference}"

        ours = grad(out, free, create_graph=True)
        theirs = torch.autograd.grad(reference, tensors, create_graph=True, allow_unused=True)
        for k, (mine, ref) in enumerate(zip(ours, theirs)):
            ref_value = 0.0 if ref is None else ref.item()
            assert close(mine.data, ref_value), (
                f"{op.name}{point}: d/dx{k} {mine.data} vs torch {ref_value}"
            )
            # Second derivatives: differentiate each first derivative once more.
            seconds = grad(mine, free)
            if ref is None or not ref.requires_grad:
                ref_seconds = [None] * len(tensors)
            else:
                ref_seconds = torch.autograd.grad(
                    ref, tensors, retain_graph=True, allow_unused=True
                )
            for j, (second, ref_second) in enumerate(zip(seconds, ref_seconds)):
                expected = 0.0 if ref_second is None else ref_second.item()
                assert close(second.data, expected), (
                    f"{op.name}{point}: d2/dx{k}dx{j} {second.data} vs torch {expected}"
                )
