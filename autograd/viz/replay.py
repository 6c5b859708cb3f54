"""The views' one forward replay and one reverse pass, over a graph already built.

:func:`replay` recomputes every node's number from new leaf numbers, each with the row that
made it (``node._op``: a row redefined later under the same name does not change old nodes).
:func:`gradients` reads the engine's own reverse loop,
:func:`autograd.core.backward.backward_steps`. The explorer uses both; its page does the same
in JavaScript from the rows' generated forms (:mod:`autograd.viz.jsops`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..core.backward import backward_steps
from ..core.value import Value


def replay(order: Sequence[Value], leaves: Mapping[int, float]) -> dict[int, float]:
    """``id(node) -> number`` for every node of ``order`` (topological), with the leaves in
    ``leaves`` (by ``id``) set to new numbers and the others kept. A domain error raises the
    row's error; a result that is not finite raises ``OverflowError`` naming the op."""
    data: dict[int, float] = {}
    for v in order:
        if v.is_leaf:
            data[id(v)] = leaves.get(id(v), v.data)
            continue
        op = v._op
        xs = [data[id(p)] for p in v.parents]
        if op.check is not None:
            op.check(*xs)
        out = op.float_forward(*xs)
        if not math.isfinite(out):
            raise OverflowError(f"{v.op} at {tuple(xs)} is not a finite number")
        data[id(v)] = out
    return data


def gradients(root: Value) -> tuple[dict[int, float], dict[int, tuple]]:
    """d root / d node and each node's local derivatives (by ``id``), at the nodes' current
    numbers, from the engine's reverse loop; no ``.grad`` is read or changed."""
    grads: dict[int, float] = {}
    local: dict[int, tuple] = {}
    for node, g, derivatives in backward_steps(root):
        grads[id(node)] = g
        local[id(node)] = tuple(derivatives)
    return grads, local


def set_and_backprop(
    root: Value, order: Sequence[Value], leaves: Mapping[int, float]
) -> dict[int, tuple]:
    """Set the leaves in ``leaves`` (by ``id``) to new numbers, every other node's ``.data`` by
    :func:`replay` and every ``.grad`` to d root / d node by :func:`gradients`: what an
    explorer's kernel does on a nudge. All or nothing: on an error nothing changes. Returns
    each node's local derivatives (by ``id``)."""
    data = replay(order, leaves)
    old = [v.data for v in order]
    for v in order:
        v.data = data[id(v)]
    try:
        grads, local = gradients(root)
    except (ValueError, ZeroDivisionError, OverflowError):
        for v, x in zip(order, old):
            v.data = x
        raise
    for v in order:
        v.grad = grads[id(v)]
    return local
