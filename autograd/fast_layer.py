"""A fast path for ``nn``: a layer of neurons, each ``activation(affine(w, x, b))``, in one call.

The same nodes as calling each neuron module in turn (``affine`` then the activation's row, each
node tagged with a Scope of its own neuron call under the current one, labelled "z" and "a"),
made without a module call, a context-variable switch and the input checks per neuron: the
caller has checked the inputs once for the whole layer. ``tests/nn/test_module.py`` checks it
against the neuron-by-neuron path.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

from . import ops
from .ops import Op
from .scope import Scope, current_scope, is_recording
from .value import Value

_new = object.__new__
_mul = operator.mul
_data = operator.attrgetter("data")
_AFFINE = ops.AFFINE
# The affine row's forward, w1*x1 + ... + wn*xn + b, is fsum of the products plus b (checked
# against the row by the tests): here it reads the inputs' numbers once for the whole layer.
_weighted_sum = math.fsum
_isfinite = math.isfinite


def affine_layer(
    neurons: Sequence[tuple[object, Sequence[Value], Value, Op | None]],
    inputs: Sequence[Value],
) -> list[Value]:
    """``[activation(affine(w, inputs, b)) for module, w, b, activation in neurons]``, each
    neuron's nodes made as if inside a call of its ``module`` (no activation: the affine node).

    ``inputs`` must be Values, every ``w`` Values as many as ``inputs`` (the caller checks) and
    each activation a one-input row without a domain check (tanh, sigmoid, relu).
    """
    recording = is_recording()
    parent = current_scope()
    numbers = list(map(_data, inputs))
    inputs = tuple(inputs)
    out: list[Value] = []
    for module, weights, bias, activation in neurons:
        z = _new(Value)
        z.data = _weighted_sum(map(_mul, map(_data, weights), numbers)) + bias.data
        if not _isfinite(z.data):
            raise _AFFINE.not_finite([*map(_data, weights), *numbers, bias.data])
        z.grad = 0.0
        z.label = "z"
        if recording:
            scope = Scope(module, parent)
            z._op, z._parents, z._scope = _AFFINE, (*weights, *inputs, bias), scope
        else:
            scope = None
            z._op, z._parents, z._scope = None, (), None
        if activation is None:
            out.append(z)
            continue
        a = _new(Value)
        a.data = activation.float_forward(z.data)
        a.grad = 0.0
        a.label = "a"
        if recording:
            a._op, a._parents, a._scope = activation, (z,), scope
        else:
            a._op, a._parents, a._scope = None, (), None
        out.append(a)
    return out
