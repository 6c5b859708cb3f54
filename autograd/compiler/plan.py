"""The plan: group the traced nodes into steps and lay out where each node's value lives."""

from __future__ import annotations

import collections
import itertools

import numpy as np

from ..core.value import Constant, Value
from .run import Compiled
from .steps import (
    FLOAT64,
    SRC_P,
    SRC_R,
    SRC_S,
    SRC_X,
    AdditiveStep,
    Arg,
    BilinearStep,
    MatmulStep,
    StackedStep,
    Step,
)


def build(
    order: list[Value],
    inputs: list[Value],
    outs: list[Value],
    single: bool,
    listed: list[Value],
    dtype: np.dtype = FLOAT64,
) -> Compiled:
    parameters: list[Value] = list(listed)
    known = {*listed, *inputs}
    constants: list[Value] = []
    computed: list[Value] = []
    for node in order:
        if node._op is not None:
            computed.append(node)
        elif node not in known:
            if isinstance(node, Constant):
                constants.append(node)
            else:
                known.add(node)
                parameters.append(node)
    n_consts = len(constants)
    constant_values = np.array([c.data for c in constants], dtype=np.float64)

    # Where each node lives, its depth, whether the output depends on it through parameters,
    # and whether it depends on the inputs (a row of R; else a scalar). Set operations and
    # C-level maps over the parents: a layer's nodes have hundreds of parents each.
    # Parameters are found through parameter_index (no entry of their own in location).
    location: dict[Value, tuple[int, int]] = {x: (SRC_X, i) for i, x in enumerate(inputs)}
    location.update((c, (SRC_S, i)) for i, c in enumerate(constants))
    parameter_index = dict(zip(parameters, range(len(parameters))))

    def where(node: Value) -> tuple[int, int]:
        return location[node] if node in location else (SRC_P, parameter_index[node])

    depth: dict[Value, int] = {}  # leaves are at depth 0
    differentiable: set[Value] = set(parameters)  # the output's gradient reaches parameters
    per_row: set[Value] = set(inputs)
    for node in computed:
        parents = node._parents
        depth[node] = 1 + max(map(depth.get, parents, itertools.repeat(0)))
        if not differentiable.isdisjoint(parents):
            differentiable.add(node)
        if not per_row.isdisjoint(parents):
            per_row.add(node)

    # Group by (depth, row or scalar, op, arity); layers of a bilinear row form their own groups.
    groups: dict[tuple, list[Value]] = {}
    for node in computed:
        op = node._op
        row = node in per_row
        key: tuple = (depth[node], row, op, len(node._parents))  # the node's own row
        if op.bilinear and row:
            weights, xs, bias = op.bilinear.split(node._parents)
            if (
                (bias is None or bias in parameter_index)
                and parameter_index.keys() >= set(weights)
                and per_row.issuperset(xs)
            ):
                key = (*key, "matmul", tuple(map(id, xs)))
        groups.setdefault(key, []).append(node)

    uses = collections.Counter(itertools.chain.from_iterable(n._parents for n in computed))
    steps: list[Step] = []
    n_rows = 0
    n_scalars = n_consts
    for key in sorted(groups, key=lambda k: k[0]):
        nodes = groups[key]
        op = key[2]
        row = key[1]
        start = n_rows if row else n_scalars
        for i, node in enumerate(nodes):
            location[node] = (SRC_R if row else SRC_S, start + i)
        out_slice = slice(start, start + len(nodes))
        if row:
            n_rows += len(nodes)
        else:
            n_scalars += len(nodes)
        if len(key) > 4:  # a layer: one matrix product
            parts = [op.bilinear.split(node._parents) for node in nodes]  # (w, x, b) each
            weight_index = np.array(
                [list(map(parameter_index.__getitem__, w)) for w, _, _ in parts], dtype=np.intp
            )
            xs = parts[0][1]
            inputs_arg = Arg([location[x] for x in xs], [x in differentiable for x in xs])
            bias_index = (
                np.array([parameter_index[b] for _, _, b in parts], dtype=np.intp)
                if op.bilinear.bias
                else None
            )
            weights = itertools.chain.from_iterable(w for w, _, _ in parts)
            sole = all(uses[w] == 1 for w in weights)
            steps.append(MatmulStep(op, weight_index, inputs_arg, out_slice, bias_index, sole))
            continue
        refs = [[where(p) for p in node._parents] for node in nodes]
        needs = [[p in differentiable for p in node._parents] for node in nodes]
        if op.additive:
            steps.append(AdditiveStep(op, refs, needs, out_slice, not row))
        elif op.bilinear:
            steps.append(BilinearStep(op, refs, needs, out_slice, not row))
        elif op.stacked:
            steps.append(StackedStep(op, refs, needs, out_slice, not row))
        else:
            steps.append(Step(op, refs, needs, out_slice, not row))

    return Compiled(
        n_inputs=len(inputs),
        parameters=parameters,
        constants=constant_values,
        n_scalars=n_scalars,
        n_rows=n_rows,
        steps=steps,
        outputs=[where(out) for out in outs],
        output_needs_grad=outs[0] in differentiable,
        n_nodes=len(order),
        single=single,
        dtype=dtype,
    )
