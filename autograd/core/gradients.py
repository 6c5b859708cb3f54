"""``grad(output, inputs)``: derivatives as results, not as ``.grad`` side effects.

It reads the same reverse loop as ``backward`` (:func:`autograd.core.backward.backward_steps`);
with ``create_graph=True`` the rows' derivative rules run on Values, so the derivatives are a
graph of their own and can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Sequence

from .backends import VALUE_MATH
from .backward import backward_steps
from .scope import enable_grad
from .value import Value

__all__ = ["grad"]


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Value]:
    """d output / d input for each input, leaving every ``.grad`` untouched (0 for an input
    ``output`` does not depend on).

    With ``create_graph=True`` the derivative rules run on Values, so each result is itself a
    differentiable Value (``grad`` of a ``grad`` is a second derivative); that graph is
    recorded even inside ``no_grad``.
    """
    for what, v in [("output", output), *((f"inputs[{i}]", x) for i, x in enumerate(inputs))]:
        if not isinstance(v, Value):
            raise TypeError(f"grad: {what} must be a Value, got {type(v).__name__}")
    if not create_graph:
        grads = {node: g for node, g, _ in backward_steps(output)}
        return [Value(grads.get(x, 0.0)) for x in inputs]
    with enable_grad():
        grads = {node: g for node, g, _ in backward_steps(output, Value(1.0), VALUE_MATH)}
        return [grads[x] if x in grads else Value(0.0) for x in inputs]
