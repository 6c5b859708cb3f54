"""``autograd.compile``: trace a scalar function once, then run it over a whole NumPy batch.

``compile(fn, n_inputs)`` calls ``fn`` once on placeholder Values and records the graph it
builds as a flat *program*: every node is an op-table row (:data:`autograd.core.ops.OPS`) plus
the positions of its inputs. Running the program on a batch ``X`` of shape (batch, n_inputs)
evaluates each node as a vector over the batch, using the row's own ``forward`` and
``derivatives`` with the NumPy backend :data:`NUMPY_MATH`. No derivative is written here: the
executor calls the table.

**Never a number eager would not give.** The program is the graph ``fn`` built; it cannot follow
what Python did with a number while ``fn`` ran. So while ``fn`` is traced, the number of a Value
(``.data``, and everything that hands it out: ``float(v)``, ``v.item()``, ``v < w``,
``f"{v:.2f}"``) may be read only by the engine's node factories, which compute the numbers of
the nodes being recorded. Any other read raises :class:`TraceError` naming the Value and the
line, whatever the numbers are: a Python branch on an input (``if v.data < 5``), a number
computed from one (``v.data * 2``, ``Value(v.data)``), a parameter's value frozen into a
constant (``v * w.data``). Write such functions with ops (``relu``, ``abs``, ``logsumexp``, ...)
on the Values themselves, or keep them eager. What cannot be seen is not refused: random numbers
drawn inside ``fn`` or a global read by it are frozen at their traced values. The guard costs
nothing eagerly: ``Value.data`` is a plain slot except while a trace runs (then, in other
threads, reads go through the guard's check of a context variable and give the number).

Parameters (every leaf ``fn`` reaches besides the inputs and Constants) live in one flat array;
:meth:`Compiled.value_and_grad` reads and fills caller-owned arrays, so a training loop keeps
the weights in NumPy and writes them back to the Values when someone needs them.

Speed comes from grouping, not from new math:

* nodes of the same depth and op become one step: gather their inputs into one
  ``(arity, k, batch)`` array, call the row's rule once, scatter the results;
* nodes that do not depend on the inputs (an L2 penalty on the parameters) are computed once,
  as scalars, and their gradient is the batch sum of what flows into them;
* nodes of a row declared ``bilinear`` (``dot``) of one depth whose weights are parameters and
  whose inputs are the same Values in the same order (the neurons of a layer) become one
  matrix product, reading the weights as a view of the parameter array; with ``bias``
  (``affine``) the biases are added to the product. Other ``bilinear`` groups are one stacked
  product and sum; nodes of a row declared ``additive`` (``sum``) are one stacked sum, and
  nodes of a row with a ``stacked`` declaration (``logsumexp``) run its declared rules once on
  the stacked inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..core.backends import NumpyMath
from ..core.value import Value
from .guard import TraceError
from .plan import build
from .run import Compiled
from .steps import NUMPY_MATH
from .trace import default_point, graph, trace

__all__ = ["NUMPY_MATH", "Compiled", "NumpyMath", "TraceError", "compile"]


def compile(  # noqa: A001  (autograd.compile; not exported by star-imports)
    fn: Callable[[list[Value]], Value],
    n_inputs: int,
    example: Sequence[float] | None = None,
    *,
    parameters: Sequence[Value] = (),
    dtype: str = "float64",
) -> Compiled:
    """Trace ``fn`` (a list of ``n_inputs`` Values -> one Value) into a batched program.

    ``fn`` may also return a list of Values (a network's outputs): calls then return
    (batch, k); :meth:`Compiled.value_and_grad` differentiates the first.

    ``fn`` is traced once, at ``example`` (default: distinct numbers in (0.3, 0.7)); pass a row
    where ``fn`` is defined when the default point is outside its domain. Reading a Value's
    number inside ``fn`` raises :class:`TraceError` (see the module docstring).
    ``parameters`` fixes the order of the flat parameter array (an optimizer's order); leaves
    ``fn`` reaches that are not listed come after them.
    ``dtype="float32"`` runs the whole program in float32 (PyTorch's default): the batch, the
    parameter and gradient arrays and every intermediate; the Values stay float64 and read the
    results back as Python floats. ``"float64"`` (the default) gives eager's numbers.
    """
    if dtype not in _DTYPES:
        raise ValueError(f"compile: dtype must be 'float64' or 'float32', got {dtype!r}")
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, int) or n_inputs < 0:
        raise ValueError(f"compile: n_inputs must be a non-negative int, got {n_inputs!r}")
    if not callable(fn):
        raise TypeError(f"compile: fn must be callable, got {type(fn).__name__}")
    point = default_point(n_inputs) if example is None else [float(x) for x in example]
    if len(point) != n_inputs:
        raise ValueError(f"compile: example has {len(point)} numbers, n_inputs is {n_inputs}")
    try:
        inputs, outs, single = trace(fn, point)
    except TraceError:
        raise
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise TraceError(
            f"compile: fn failed on the placeholder inputs {point}: {error}; pass "
            "example=[...] with a row where fn is defined"
        ) from error
    return build(graph(outs), inputs, outs, single, list(parameters), _DTYPES[dtype])


_DTYPES = {"float64": np.dtype(np.float64), "float32": np.dtype(np.float32)}
