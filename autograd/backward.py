"""Reverse-mode differentiation: the chain rule over a topological order, without recursion."""

from __future__ import annotations

from collections.abc import Sequence

from .ops import FLOAT_MATH
from .value import VALUE_MATH, Value


def topological_order(root: Value) -> list[Value]:
    """Every Value ``root`` depends on, each after all of its parents; ``root`` comes last.

    Iterative depth-first search, so a chain of a million nodes needs no deep recursion.
    """
    order: list[Value] = []
    _walk(root, order, order)
    return order


def _walk(root: Value, order: list[Value], leaves: list[Value]) -> None:
    """Depth-first search from ``root``: inner nodes go to ``order`` parents first, leaves to
    ``leaves``.

    The order is that of the classic recursive search (parents explored first to last, a node
    emitted after all of them), so drawings and gradient sums come out the same on every run.
    Without recursion: a node is pushed, then a ``None`` marker, then its unseen parents last
    to first; when the marker comes back off the stack every parent is finished. Nodes are
    marked when expanded, so a parent reached first from a deeper path is emitted there.

    Two shortcuts keep the same order with less stack traffic: a node whose parents are all
    marked already is emitted at once (in a graph without cycles a marked parent of a node
    being expanded is finished), and the first unseen parent, which would be popped next, is
    expanded directly instead of being pushed.
    """
    seen: set[Value] = set()
    see, covered = seen.add, seen.issuperset
    stack: list[Value | None] = [root]
    push, pop = stack.append, stack.pop
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
            if len(parents) == 2:  # most nodes: unrolled, the second parent pushed first
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
            if len(parents) == 1:
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
            for parent in reversed(parents):
                if parent not in seen:
                    push(parent)
            break


def _derivative_error(node: Value, error: ArithmeticError) -> ArithmeticError:
    inputs = ", ".join(repr(p.data) for p in node._parents)
    return type(error)(
        f"backward: the derivative of {node.op} at ({inputs}) is not a finite number "
        f"({error}); no gradient was changed"
    )


def backward(root: Value) -> None:
    """Fill ``.grad`` with d root / d node for every node ``root`` depends on.

    Chain rule, walked once in reverse topological order: a node's gradient ``g`` is complete
    when it is reached, and each parent receives ``g * d node / d parent`` (summed over every
    path, so fan-out such as ``a + a`` counts twice). Leaves *accumulate* into ``.grad``;
    inner nodes are set afresh. If a local derivative is not finite (sqrt at 0), every
    ``.grad`` is restored and the error names the op.

    A ``sum``, ``dot`` or ``affine`` node (of three inputs or more) whose gradient is exactly 0
    (a neuron behind an inactive ReLU) is skipped: it would add only zeros. (The one
    difference: a zero gradient times an infinite input of a dot is not turned into NaN.)
    """
    order: list[Value] = []
    leaves: list[Value] = []
    _walk(root, order, leaves)
    saved = [node.grad for node in order]  # to restore on an error
    saved_leaves = [leaf.grad for leaf in leaves]
    for node in order:
        node.grad = 0.0
    # Leaves keep their old value and receive the new contributions on top.
    root.grad = root.grad + 1.0 if root._op is None else 1.0
    node = root
    try:
        for node in reversed(order):
            parents = node._parents
            g = node.grad
            # The local derivatives come from the op's row, on floats; one and two inputs
            # are unpacked by hand because they are most nodes.
            if len(parents) == 2:
                a, b = parents
                da, db = node._op.derivatives(FLOAT_MATH, node.data, a.data, b.data)
                a.grad += g * da
                b.grad += g * db
            elif len(parents) == 1:
                a = parents[0]
                (da,) = node._op.derivatives(FLOAT_MATH, node.data, a.data)
                a.grad += g * da
            elif g != 0.0:
                # n-ary nodes (sum, dot, affine) with a zero gradient (after an inactive ReLU) pass
                # on nothing but zeros, so they are skipped: the same sums, fewer additions.
                local = node._op.derivatives(FLOAT_MATH, node.data, *[p.data for p in parents])
                for parent, d in zip(parents, local):
                    parent.grad += g * d
    except (ZeroDivisionError, OverflowError, ValueError) as error:
        for restored, grad in zip(order, saved):
            restored.grad = grad
        for restored, grad in zip(leaves, saved_leaves):
            restored.grad = grad
        raise _derivative_error(node, error) from error


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Value]:
    """d output / d input for each input, leaving every ``.grad`` untouched.

    With ``create_graph=True`` the derivative rules run on Values instead of floats, so each
    result is itself a differentiable Value (``grad`` of a ``grad`` is a second derivative).
    An input that ``output`` does not depend on gets a derivative of 0.
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {type(x).__name__}")
    order = topological_order(output)
    grads: dict[int, object] = {id(output): Value(1.0) if create_graph else 1.0}
    for node in reversed(order):
        op = node._op
        g = grads.get(id(node))
        if op is None or g is None:
            continue
        parents = node._parents
        try:
            if create_graph:
                local = op.derivatives(VALUE_MATH, node, *parents)
            else:
                local = op.float_derivatives(node.data, *[p.data for p in parents])
        except (ZeroDivisionError, OverflowError, ValueError) as error:
            raise _derivative_error(node, error) from error
        for parent, d in zip(parents, local, strict=False):
            # Skip the multiply-by-one node that create_graph would otherwise record.
            contribution = g if type(d) is float and d == 1.0 else g * d
            key = id(parent)
            previous = grads.get(key)
            grads[key] = contribution if previous is None else previous + contribution
    results = []
    for x in inputs:
        g = grads.get(id(x), 0.0)
        results.append(g if isinstance(g, Value) else Value(g))
    return results
