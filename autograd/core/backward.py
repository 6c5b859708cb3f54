"""Reverse mode: the chain rule, one node at a time, from the root back to the leaves.

d root / d root = 1. When every node that uses ``node`` has been visited, its gradient
g = d root / d node is complete, and each parent p receives g * (d node / d p), the local
derivative from the node's row. A parent used by several nodes (or twice by one, as in
``a + a``) adds up what each use sends it.

:func:`backward_steps` is that loop, as a generator of steps; ``backward``, ``grad``,
``explain`` and the step-through frames all read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .backends import FLOAT_MATH
from .finite import derivative_error, finite_gradient

__all__ = ["backward", "backward_steps", "local_derivatives", "topological_order"]


def topological_order(root: Any) -> list[Any]:
    """Every Value ``root`` depends on, each after all of its parents; ``root`` comes last.

    Depth-first search, parents first to last, with a stack of (node, its parents still to
    visit) instead of recursion, so a chain of a million nodes works.
    """
    order, seen = [], {root}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in seen:
                seen.add(parent)
                stack.append((parent, iter(parent._parents)))
                break
        else:  # every parent is done: so is node
            stack.pop()
            order.append(node)
    return order


def backward_steps(root: Any, seed: Any = 1.0, m: Any = FLOAT_MATH) -> Iterator[tuple]:
    """The chain rule from ``root``, one step per node it depends on: ``(node, g, local)``,
    where ``g`` is d root / d node (complete: every node that uses ``node`` came before) and
    ``local`` the row's d node / d parent for each parent (``()`` for a leaf).

    ``m`` is the math backend the local derivatives run on: floats by default; with
    ``VALUE_MATH`` (and a Value ``seed``) every gradient is a Value that can be differentiated
    again. A gradient that is not finite raises OverflowError naming the op.
    """
    grads = {root: seed}  # Values hash by identity: one entry per node
    for node in reversed(topological_order(root)):
        g = finite_gradient(grads.pop(node), node, "summed over its uses")
        local = local_derivatives(node, m)
        yield node, g, local
        for parent, d in zip(node._parents, local):
            # the chain rule; no node for g * 1 (type first: comparing a Value is slow)
            contribution = g if type(d) is float and d == 1.0 else g * d
            finite_gradient(contribution, node, "passed back")
            if parent in grads:
                contribution = grads[parent] + contribution  # fan-out: the uses add up
            grads[parent] = contribution


def local_derivatives(node: Any, m: Any = FLOAT_MATH) -> tuple:
    """d node / d parent for each parent of ``node``, in order, from its row (``()`` for a
    leaf). An infinite derivative (sqrt at 0) raises the row's error naming op and inputs."""
    if node._op is None:
        return ()
    try:
        return node._op.derivatives(m, m.operand(node), *map(m.operand, node._parents))
    except (ZeroDivisionError, OverflowError, ValueError) as error:
        raise derivative_error(node, error) from error


def backward(root: Any) -> None:
    """Fill ``.grad`` with d root / d node for every node ``root`` depends on.

    Leaves (the Values you made) *accumulate* into ``.grad``; inner nodes are set afresh.
    All or nothing: every step is computed before any ``.grad`` changes, so an error (or a
    Ctrl-C) leaves every ``.grad`` as it was.
    """
    steps = list(backward_steps(root))  # every gradient first, before any .grad changes
    new = [(node, node.grad + g if node._op is None else g) for node, g, _ in steps]
    for node, grad in new:
        finite_gradient(grad, node, "accumulated")  # a leaf's old .grad plus the new part
    old = [(node, node.grad) for node, _, _ in steps]
    try:
        for node, grad in new:
            node.grad = grad
    except BaseException:  # a KeyboardInterrupt between two assignments: put everything back
        for node, grad in old:
            node.grad = grad
        raise
