"""The fast paths: faster equivalents of the readable engine's busiest parts, in one place.

:mod:`autograd.core.value` and :mod:`autograd.core.backward` (with :mod:`autograd.core.nary`,
the n-ary nodes) are the engine as one would explain it. Building and backpropagating through a
network makes millions of nodes, so :func:`install` (run when ``autograd`` is imported) replaces
a few of those pieces with versions that compute exactly the same thing with fewer Python calls:

* a node factory that fills the slots of a new Value directly (:func:`_node`);
* ``+``, ``-``, ``*`` and the unary methods without a domain check, built once per row;
* ``Value.apply``, ``sum``, ``dot`` and ``affine`` checking their inputs with one C-level call;
* an unrolled depth-first walk (also used by the readable loop, ``grad`` and ``explain``) and
  a reverse loop on floats for ``backward``.
* a whole layer of ``nn`` neurons in one call (:func:`affine_layer`), each neuron's nodes
  tagged with its own module scope.

Every number still comes from the op table (a row's rule, or its declared ``bilinear``
structure); nothing here knows a derivative. The differential tests
(tests/autograd/core/test_fast_paths.py) run random programs through both engines and require
identical graphs, numbers and gradients; :func:`readable` switches these paths off for a block.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import filterfalse
from typing import Any

from . import backward as reverse
from . import nary, ops
from .backends import FLOAT_MATH
from .ops import Op
from .scope import LayerCall, Scope, current_scope, is_recording
from .value import Constant, Value

__all__ = [
    "affine",
    "affine_layer",
    "backward",
    "dot",
    "install",
    "readable",
    "sum",
    "topological_order",
]

_new = object.__new__
_VALUE_TYPES = frozenset({Value, Constant})
_isfinite = math.isfinite


def _node(op: Op, data: float, parents: tuple[Value, ...]) -> Value:
    """``Value.apply``'s last step with the slots filled in place (no ``__init__`` checks:
    ``data`` is a finite float computed by a row)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if is_recording():
        out._op = op
        out._parents = parents
        out._scope = current_scope()
    else:  # inside no_grad: a leaf
        out._op = None
        out._parents = ()
        out._scope = None
    return out


def _constant(data: float) -> Constant:
    """A Constant leaf for a finite float."""
    out = _new(Constant)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = None
    out._parents = ()
    out._scope = None
    return out


def apply(op: Op, *parents: Value) -> Value:
    """``Value.apply``: the same checks, errors and node."""
    return _apply(op, parents)


def _apply(op: Op, parents: tuple[Value, ...]) -> Value:
    """``apply`` on a tuple of parents (``sum`` and ``affine`` pass theirs without unpacking)."""
    xs = [p.data for p in parents]
    if op.check is not None:
        op.check(*xs)
    try:
        data = op.forward(FLOAT_MATH, *xs)
    except (OverflowError, ValueError) as error:
        raise op.not_finite(xs) from error
    if not _isfinite(data):
        raise op.not_finite(xs)
    return _node(op, data, parents)


def _as_value(other: object) -> Value | None:
    if isinstance(other, Value):
        return other
    if type(other) is float and _isfinite(other):
        return _constant(other)  # type: ignore[arg-type]
    if isinstance(other, bool) or not isinstance(other, numbers.Real):
        return None
    return Constant(other)  # checks the number, raising for NaN and infinities


def _binary_operator(op: Op, reflected: bool) -> Callable[[Value, object], Value]:
    """``x <op> y`` (``y <op> x`` when ``reflected``) for a row without a domain check, with
    the node made in place: ``+``, ``-`` and ``*`` are most of a graph."""
    forward = op.forward

    def operator_method(self: Value, other: object) -> Value:
        kind = type(other)
        if kind is Value or kind is Constant:  # the commonest case, without isinstance
            pass
        elif kind is float and _isfinite(other):  # type: ignore[arg-type]
            other = _constant(other)  # type: ignore[arg-type]
        else:
            other = _as_value(other)
            if other is None:
                return NotImplemented
        if reflected:
            parents = (other, self)
            data = forward(FLOAT_MATH, other.data, self.data)  # type: ignore[union-attr]
        else:
            parents = (self, other)
            data = forward(FLOAT_MATH, self.data, other.data)  # type: ignore[union-attr]
        if not _isfinite(data):  # overflow (finite inputs never give NaN here)
            raise op.not_finite([p.data for p in parents])  # type: ignore[union-attr]
        # _node's body, inlined: one Python call less on the commonest nodes of every graph.
        out = _new(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        if is_recording():
            out._op = op
            out._parents = parents
            out._scope = current_scope()
        else:
            out._op = None
            out._parents = ()
            out._scope = None
        return out

    return operator_method


def _unary_method(op: Op) -> Callable[[Value], Value]:
    """``op(self)`` for a one-input row without a domain check whose result is finite for
    every finite input (tanh, sigmoid, relu, ...), so neither check is needed."""
    forward = op.forward

    def method(self: Value) -> Value:
        return _node(op, forward(FLOAT_MATH, self.data), (self,))

    return method


def _values(values: Iterable[object], where: str) -> tuple[Value, ...]:
    parents = tuple(values)
    if _VALUE_TYPES.issuperset(map(type, parents)):  # one C-level check of the common case
        return parents  # type: ignore[return-value]
    return nary._values(parents, where)


def sum(values: Iterable[Value | float]) -> Value:  # noqa: A001
    parents = _values(values, "sum")
    if not parents:
        raise ValueError("sum: needs at least one value")
    return _apply(ops.SUM, parents)


def dot(weights: Sequence[Value | float], inputs: Sequence[Value | float]) -> Value:
    return _weighted_sum(ops.DOT, weights, inputs, ())


def affine(
    weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float
) -> Value:
    return _weighted_sum(ops.AFFINE, weights, inputs, (bias,))


def _weighted_sum(op: Op, weights: Sequence, inputs: Sequence, bias: tuple) -> Value:
    if len(weights) != len(inputs):
        raise ValueError(f"{op.name}: {len(weights)} weights but {len(inputs)} inputs")
    if not weights:
        raise ValueError(f"{op.name}: needs at least one pair")
    return _apply(op, _values((*weights, *inputs, *bias), op.name))


sum.__doc__, dot.__doc__, affine.__doc__ = nary.sum.__doc__, nary.dot.__doc__, nary.affine.__doc__


# -- a layer of neurons, for nn -----------------------------------------------------------------

_mul = operator.mul
_data = operator.attrgetter("data")
_module, _bias = operator.itemgetter(0), operator.itemgetter(2)


def affine_layer(
    neurons: Sequence[tuple[object, Sequence[Value], Value, Op | None]],
    inputs: Sequence[Value],
) -> list[Value]:
    """``[activation(affine(w, inputs, b)) for module, w, b, activation in neurons]``, each
    neuron's nodes made as if inside a call of its ``module`` (no activation: the affine node).

    What ``nn.Layer`` runs: the same nodes as calling each neuron module in turn (the affine
    row's node labelled "z", the activation's labelled "a", both tagged with a Scope of their
    own neuron call under the current one), without a module call, a context-variable switch
    and input checks per neuron, and with the inputs' numbers read once for the layer. When
    more than three neurons each have a bias of their own, the nodes hold one
    :class:`~autograd.core.scope.LayerCall` for the layer call, and ``node.scope`` makes the
    neuron's Scope when first read. The
    weighted sum is the affine row's forward (fsum of the products, plus b). Checked against
    the neuron-by-neuron path by tests/nn/test_module.py.

    ``inputs`` must be Values, every ``w`` Values as many as ``inputs`` (the caller checks) and
    each activation a one-input row without a domain check (tanh, sigmoid, relu).
    """
    recording = is_recording()
    parent = current_scope()
    numbers = list(map(_data, inputs))
    inputs = tuple(inputs)
    out: list[Value] = []
    append, fsum = out.append, math.fsum
    # One record of the call for every neuron (three objects), when each has a bias of its
    # own and there are more than three (else a Scope each is fewer objects).
    call = None
    if recording and len(neurons) > 3:
        biases = tuple(map(_bias, neurons))
        if len(set(biases)) == len(biases):
            call = LayerCall(tuple(map(_module, neurons)), biases, parent)
    for module, weights, bias, activation in neurons:
        data = fsum(map(_mul, map(_data, weights), numbers)) + bias.data
        if not _isfinite(data):
            raise ops.AFFINE.not_finite([*map(_data, weights), *numbers, bias.data])
        z = _new(Value)
        z.data = data
        z.grad = 0.0
        z.label = "z"
        if recording:
            if call is not None:
                scope = call  # the neuron's Scope is made when asked for
            else:
                scope = _new(Scope)  # Scope(module, parent), without an __init__ call
                scope.module = module
                scope.parent = parent
            z._op = ops.AFFINE
            z._parents = (*weights, *inputs, bias)
            z._scope = scope
        else:
            scope = None
            z._op = None
            z._parents = ()
            z._scope = None
        if activation is None:
            append(z)
            continue
        a = _new(Value)
        a.data = activation.float_forward(data)
        a.grad = 0.0
        a.label = "a"
        a._scope = scope
        if recording:
            a._op = activation
            a._parents = (z,)
        else:
            a._op = None
            a._parents = ()
        append(a)
    return out


# -- the reverse pass ---------------------------------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """:func:`autograd.core.backward.topological_order`: the same list, faster."""
    order: list[Value] = []
    _walk(root, order, order)
    return order


def _walk(root: Value, order: list[Value], leaves: list[Value]) -> None:
    """Depth-first search from ``root``: inner nodes go to ``order`` parents first, leaves to
    ``leaves``, in the order of :func:`autograd.core.backward.topological_order`.

    A node is pushed, then a ``None`` marker, then its unseen parents last to first; when the
    marker comes back off the stack every parent is finished. Nodes are marked when expanded,
    so a parent reached first from a deeper path is emitted there. Two shortcuts keep the
    same order with less stack traffic: a node whose parents are all marked already is
    emitted at once (in a graph without cycles a marked parent of a node being expanded is
    finished), and the first unseen parent, which would be popped next, is expanded directly.
    """
    seen: set[Value] = set()
    see, covered = seen.add, seen.issuperset
    stack: list[Value | None] = [root]
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


def backward(root: Value) -> None:
    """:func:`autograd.core.backward.backward`: the same gradients, errors and all-or-nothing rule.

    The gradients are summed in each node's ``.grad`` as the loop goes, with every old value
    saved first; on any exception (KeyboardInterrupt included) they are all put back. A leaf
    sums its new contributions from 0 and then adds its old ``.grad`` (old + new, as the
    readable loop, so a second backward gives the same bits). One
    and two inputs are unpacked by hand. A node whose gradient is exactly 0 (behind an
    inactive ReLU, or a hinge already satisfied) is skipped when its row declares
    ``finite_derivatives``: it would send back only zeros. A row declared
    ``bilinear`` (dot, affine) sends g * xi to each weight and g * wi to each input (and g to a
    declared bias) from its declaration, without building its tuple of local derivatives. A
    non-finite gradient is found by checking the leaves at the end (it reaches at least one),
    and the readable loop is then run to name the op.
    """
    order: list[Value] = []
    leaves: list[Value] = []
    _walk(root, order, leaves)
    saved = [node.grad for node in order]
    saved_leaves = [leaf.grad for leaf in leaves]
    node = root
    try:
        if any(saved):  # a graph seen by backward before: inner gradients start afresh
            for node in order:
                node.grad = 0.0
        if any(saved_leaves):  # the old values are added back at the end
            for node in leaves:
                node.grad = 0.0
        root.grad = 1.0
        for node in reversed(order):
            g = node.grad
            op = node._op
            if g == 0.0 and op.finite_derivatives:
                continue  # behind an inactive ReLU or a satisfied margin: only zeros to send
            parents = node._parents
            n = len(parents)
            if n == 2:
                a, b = parents
                da, db = op.float_derivatives(node.data, a.data, b.data)
                a.grad += g * da
                b.grad += g * db
            elif n == 1:
                a = parents[0]
                (da,) = op.float_derivatives(node.data, a.data)
                a.grad += g * da
            elif op.bilinear:  # the row's declaration: df/dwi = xi, df/dxi = wi, df/db = 1
                half = n >> 1
                weights, inputs = parents[:half], parents[half : half + half]
                for w, x in zip(weights, inputs):  # in the parents' order, as the rule's
                    w.grad += g * x.data
                for w, x in zip(weights, inputs):
                    x.grad += g * w.data
                if op.bias:
                    parents[-1].grad += g
            else:
                local = op.float_derivatives(node.data, *[p.data for p in parents])
                for parent, d in zip(parents, local):
                    parent.grad += g * d
        for leaf, old in zip(leaves, saved_leaves):
            total = old + leaf.grad
            if not _isfinite(total):
                raise OverflowError
            leaf.grad = total
    except BaseException as error:
        for restored, grad in zip(order, saved):
            restored.grad = grad
        for restored, grad in zip(leaves, saved_leaves):
            restored.grad = grad
        if isinstance(error, (ZeroDivisionError, OverflowError, ValueError)):
            reverse.backward(root)  # raises the readable loop's error, naming the op
        raise


def _backward_method(self: Value) -> None:
    backward(self)


# -- switching the fast paths on and off ------------------------------------------------------

# Value's attributes the fast paths replace: name -> fast version.
_FAST: dict[str, Any] = {
    "apply": staticmethod(apply),
    "backward": _backward_method,
    "__add__": _binary_operator(ops.ADD, reflected=False),
    "__radd__": _binary_operator(ops.ADD, reflected=True),
    "__sub__": _binary_operator(ops.SUB, reflected=False),
    "__rsub__": _binary_operator(ops.SUB, reflected=True),
    "__mul__": _binary_operator(ops.MUL, reflected=False),
    "__rmul__": _binary_operator(ops.MUL, reflected=True),
    "__neg__": _unary_method(ops.NEG),
    "__abs__": _unary_method(ops.ABS),
    "tanh": _unary_method(ops.TANH),
    "sigmoid": _unary_method(ops.SIGMOID),
    "relu": _unary_method(ops.RELU),
    "softplus": _unary_method(ops.SOFTPLUS),
    "sin": _unary_method(ops.SIN),
    "cos": _unary_method(ops.COS),
}
# The readable versions, kept for readable() and the differential tests.
READABLE: dict[str, Any] = {name: Value.__dict__[name] for name in _FAST}


def _function(attribute: Any) -> Any:
    return attribute.__func__ if isinstance(attribute, staticmethod) else attribute


for _name in _FAST:  # both versions show their name; the fast one the readable one's docstring
    _fast, _readable = _function(_FAST[_name]), _function(READABLE[_name])
    _fast.__name__ = _readable.__name__ = _name
    _fast.__qualname__ = _readable.__qualname__ = f"Value.{_name}"
    _fast.__doc__ = _readable.__doc__


# The readable reverse loop walks the graph with the unrolled walk too (the same order).
READABLE_ORDER = reverse.topological_order


def install() -> None:
    """Put the fast paths in place (``import autograd`` does this)."""
    for name, attribute in _FAST.items():
        setattr(Value, name, attribute)
    reverse.topological_order = topological_order


@contextlib.contextmanager
def readable() -> Iterator[None]:
    """Run a block on the readable engine alone (for tests and for the curious).

    Affects every thread while it lasts; the module functions ``autograd.sum``, ``dot`` and
    ``affine`` are not switched (``autograd.core.nary.sum`` & co. are their readable versions).
    """
    for name, attribute in READABLE.items():
        setattr(Value, name, attribute)
    reverse.topological_order = READABLE_ORDER
    try:
        yield
    finally:
        install()
