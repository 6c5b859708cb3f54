"""A whole layer of neurons in one call: what ``nn.Layer`` runs.

Calling each neuron in turn makes, per neuron, an ``affine`` node (Σ w_i x_i + b, labelled
"z") and an activation node ("a"), both inside a module call of that neuron. A training step
makes millions of them, so :func:`affine_layer` makes the same nodes for all the layer's
neurons at once: no module call, context-variable switch or input check per neuron, the
inputs' numbers read once, and one :class:`LayerCall` record for the call's scopes.
"""

from __future__ import annotations

import math
import operator
import threading
from collections.abc import Sequence
from typing import Any

from autograd import OPS, Op, Scope, Value, current_scope, is_recording

__all__ = ["LayerCall", "affine_layer"]

# Read by autograd.compile's trace guard: the code here reads numbers only to make nodes.
__autograd_engine__ = True

_AFFINE = OPS["affine"]
_LAYOUT = _AFFINE.bilinear  # the row's declaration: its parents' layout w..., x..., b
_new = object.__new__
_isfinite = math.isfinite


class LayerCall:
    """One call of a layer whose neurons' nodes were made together (:func:`affine_layer`):
    it stands in every such node's scope, and each neuron call's :class:`Scope`
    (``Scope(neuron, parent)``) is made the first time a node asks for it
    (``Value.scope`` calls :meth:`scope_of`), found by the bias the node's weighted sum adds
    (one per neuron). A training step then makes three small objects per layer call (this
    and its two tuples) instead of one Scope per neuron: fewer objects for Python's cyclic
    collector to walk.
    """

    __slots__ = ("_made", "biases", "modules", "parent")
    _lock = threading.Lock()

    def __init__(self, modules: tuple, biases: tuple, parent: Scope | None) -> None:
        self.modules, self.biases, self.parent = modules, biases, parent
        self._made: dict[int, Scope] | None = None

    def scope_of(self, node: Any) -> Scope:
        """The Scope of the neuron call that made ``node`` (its weighted sum, or the
        activation of it); the same object every time."""
        weighted = node if node._op is _AFFINE else node._parents[0]
        _, _, bias = _LAYOUT.split(weighted._parents)
        k = self.biases.index(bias)  # by identity: Values compare so
        made = self._made
        if made is not None and k in made:
            return made[k]
        with self._lock:  # two threads asking at once get the same Scope
            if self._made is None:
                self._made = {}
            return self._made.setdefault(k, Scope(self.modules[k], self.parent))


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
    :class:`LayerCall` for the layer call, and ``node.scope`` makes the
        neuron's Scope when first read. The
        weighted sum is the affine row's forward (fsum of the products, plus b). Checked against
        the neuron-by-neuron path by tests/nn/test_module.py and
        tests/autograd/core/test_fast_paths.py.

        ``inputs`` must be Values, every ``w`` Values as many as ``inputs`` (the caller checks) and
        each activation a one-input row without a domain check (tanh, sigmoid, relu).
    """
    recording = is_recording()
    parent = current_scope()
    numbers = list(map(_data, inputs))
    inputs = tuple(inputs)
    out: list[Value] = []
    append, fsum, parents = out.append, math.fsum, _LAYOUT.parents
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
            raise _AFFINE.not_finite([*map(_data, weights), *numbers, bias.data])
        z = _new(Value)
        z.data = data
        z.grad = 0.0
        z._sum = 0.0
        z.label = "z"
        if recording:
            if call is not None:
                scope = call  # the neuron's Scope is made when asked for
            else:
                scope = _new(Scope)  # Scope(module, parent), without an __init__ call
                scope.module = module
                scope.parent = parent
            z._op = _AFFINE
            z._parents = parents(weights, inputs, bias)
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
        a._sum = 0.0
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
