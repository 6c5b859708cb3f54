"""Reverse mode: the chain rule, one node at a time, from the root back to the leaves.

d root / d root = 1. When every node that uses ``node`` has been visited, its gradient
g = d root / d node is complete, and each parent p receives g * (d node / d p), the local
derivative from the node's row. A parent used by several nodes (or twice by one, as in
``a + a``) adds up what each use sends it.

:func:`backward_steps` is that loop, as a generator of steps: ``grad``, ``explain`` and the
step-through frames read it, and :func:`stepwise_backward` fills ``.grad`` from it.
:func:`backward` (what ``v.backward()`` runs) is the same loop on floats, written for speed:
see its docstring for why it is faster, and tests/autograd/core/test_fast_paths.py, which
holds the two to the same bits on random programs.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from itertools import filterfalse
from typing import Any

from .backends import FLOAT_MATH
from .finite import derivative_error, finite_gradient

__all__ = [
    "backward",
    "backward_steps",
    "local_derivatives",
    "stepwise_backward",
    "topological_order",
]

_isfinite = math.isfinite
# One float pass at a time, in every thread: a pass sums in the nodes' scratch slot ``_sum``.
_passes = threading.RLock()


def topological_order(root: Any) -> list[Any]:
    """Every Value ``root`` depends on, each after all of its parents; ``root`` comes last.

    Depth-first search, parents first to last (leaves where they are first reached), with a
    stack instead of recursion, so a chain of a million nodes works.
    """
    order: list[Any] = []
    _walk(root, order, order)
    return order


def _walk(root: Any, order: list[Any], leaves: list[Any]) -> None:
    """Depth-first search from ``root``: inner nodes go to ``order`` parents first, leaves to
    ``leaves`` (``topological_order`` passes one list for both).

    A node is pushed, then a ``None`` marker, then its unseen parents last to first; when the
    marker comes back off the stack every parent is finished. Nodes are marked when expanded,
    so a parent reached first from a deeper path is emitted there. Two shortcuts keep the
    same order with less stack traffic: a node whose parents are all marked already is
    emitted at once (in a graph without cycles a marked parent of a node being expanded is
    finished), and the first unseen parent, which would be popped next, is expanded directly.
    """
    seen: set[Any] = set()
    see, covered = seen.add, seen.issuperset
    stack: list[Any] = [root]
    push, pop, extend = stack.append, stack.pop, stack.extend
    emit, emit_leaf = order.append, leaves.append
    while stack:
        node = pop()
        if node is None:
            emit(pop())
            continue
        if node in seen:
            continue
        while True:  # expand node; continue with its first unseen parent, if any
            see(node)
            if node._op is None:
                emit_leaf(node)
                break
            parents = node._parents
            n = len(parents)
            if n == 2:  # most nodes: unrolled, the second parent pushed first
                first, second = parents
                if first in seen:
                    if second in seen:
                        emit(node)
                        break
                    push(node)
                    push(None)
                    node = second
                    continue
                push(node)
                push(None)
                if second not in seen:
                    push(second)
                node = first
                continue
            if n == 1:
                parent = parents[0]
                if parent in seen:
                    emit(node)
                    break
                push(node)
                push(None)
                node = parent
                continue
            if covered(parents):  # one C call: often every input of a neuron is finished
                emit(node)
                break
            push(node)
            push(None)
            extend(filterfalse(seen.__contains__, reversed(parents)))  # the unseen, in C
            break


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


def stepwise_backward(root: Any) -> None:
    """:func:`backward` written with :func:`backward_steps` (the reference it is tested
    against). Fill ``.grad`` with d root / d node for every node ``root`` depends on.

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


def backward(root: Any) -> None:
    """Fill ``.grad`` with d root / d node for every node ``root`` depends on: what
    ``v.backward()`` runs. Leaves (the Values you made) *accumulate* into ``.grad``; inner
    nodes are set afresh. All or nothing: on any exception (a Ctrl-C included) every ``.grad``
    is as it was.

    Threads: passes run one at a time (a lock), so passes from several threads into shared
    leaves add up exactly, and each ``.grad`` is written once per pass with its whole value:
    a thread reading ``.grad`` while another's pass runs sees the value before the pass or
    after it, never a partial sum.
    """
    with _passes:
        _float_backward(root)


def _float_backward(root: Any) -> None:
    """:func:`backward`'s loop: the same gradients, bits and errors as :func:`stepwise_backward`,
    faster because it makes no step tuples, no dict of gradients and no tuple of local
    derivatives where it can help it: the gradients are summed in a scratch slot of each node
    (``_sum``, 0 between passes) as the loop goes, never in ``.grad``, which is written once
    per node with the whole value (when the loop reaches an inner node; at the end for a
    leaf), so another thread never reads a partial sum. Every old ``.grad`` is saved first; on
    any exception (KeyboardInterrupt included) they are all put back and the scratch cleared.
    A leaf gets its old ``.grad`` plus its new sum (old + new, as :func:`stepwise_backward`,
    so a second backward gives the same bits). One and two inputs are unpacked by hand. A
    node whose gradient is exactly 0 (behind an inactive ReLU, or a hinge already satisfied)
    is skipped when its row declares ``finite_derivatives``: it would send back only zeros.
    A row declared ``bilinear`` (dot, affine) sends g * xi to each weight and g * wi to each
    input (and g to a declared bias), taking the parents apart with its declaration
    (``op.bilinear.split``), without building its tuple of local derivatives. A non-finite
    gradient is found by checking the leaves at the end (it reaches at least one), and
    :func:`stepwise_backward` is then run to raise the error naming the op.
    """
    order: list[Any] = []
    leaves: list[Any] = []
    _walk(root, order, leaves)
    saved = [node.grad for node in order]
    saved_leaves = [leaf.grad for leaf in leaves]
    node = root
    try:
        root._sum = 1.0
        for node in reversed(order):
            g = node._sum  # complete: every node that uses this one came before
            node._sum = 0.0
            node.grad = g  # written once, whole
            op = node._op
            if g == 0.0 and op.finite_derivatives:
                continue  # behind an inactive ReLU or a satisfied margin: only zeros to send
            parents = node._parents
            n = len(parents)
            if n == 2:
                a, b = parents
                da, db = op.float_derivatives(node.data, a.data, b.data)
                a._sum += g * da
                b._sum += g * db
            elif n == 1:
                a = parents[0]
                (da,) = op.float_derivatives(node.data, a.data)
                a._sum += g * da
            elif op.bilinear:  # the row's declaration: df/dwi = xi, df/dxi = wi, df/db = 1
                weights, inputs, bias = op.bilinear.split(parents)
                for w, x in zip(weights, inputs):  # in the parents' order, as the rule's
                    w._sum += g * x.data
                for w, x in zip(weights, inputs):
                    x._sum += g * w.data
                if bias is not None:
                    bias._sum += g
            else:
                local = op.float_derivatives(node.data, *[p.data for p in parents])
                for parent, d in zip(parents, local):
                    parent._sum += g * d
        for leaf, old in zip(leaves, saved_leaves):
            total = old + leaf._sum
            if not _isfinite(total):
                raise OverflowError
            leaf._sum = 0.0
            leaf.grad = total  # written once, whole
    except BaseException as error:
        for restored, grad in zip(order, saved):
            restored._sum = 0.0
            restored.grad = grad
        for restored, grad in zip(leaves, saved_leaves):
            restored._sum = 0.0
            restored.grad = grad
        if isinstance(error, (ZeroDivisionError, OverflowError, ValueError)):
            stepwise_backward(root)  # raises the error naming the op
        raise
