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
  product and sum; nodes of a row declared ``additive`` (``sum``) are one stacked sum.
"""

from __future__ import annotations

import collections
import itertools
import math
import sys
import threading
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

import numpy as np

from ..core.backends import NumpyMath, numpy_math
from ..core.backward import topological_order
from ..core.ops import OPS, Op
from ..core.scope import enable_grad
from ..core.value import Constant, Value

__all__ = ["NUMPY_MATH", "Compiled", "NumpyMath", "TraceError", "compile"]


NUMPY_MATH = numpy_math()


class TraceError(ValueError):
    """``fn`` cannot be compiled: it read a number while traced, or failed on the placeholders."""


# ---------------------------------------------------------------------------------------------
# The guard: while fn is traced, only the engine's node factories read a Value's number.

# Modules whose code makes nodes (and so reads their parents' numbers to compute the new one)
# declare it with a module-level ``__node_factory__ = True`` (autograd.core.value; nn's layer).
# Functions in those modules that hand the number to their caller: a read through them is fn's.
_HANDS_OUT = {
    "item": "v.item()",
    "__float__": "float(v)",
    "__int__": "int(v)",
    "__index__": "an index",
    "__bool__": "bool(v)",
    "__round__": "round(v)",
    "__format__": "formatting it",
    "__lt__": "a comparison",
    "__le__": "a comparison",
    "__gt__": "a comparison",
    "__ge__": "a comparison",
    "_number": "a comparison",
    "_compare": "a comparison",
}


class _Trace:
    """What a running trace knows: its inputs (to name a Value read by mistake)."""

    __slots__ = ("inputs",)

    def __init__(self, inputs: list[Value]) -> None:
        self.inputs = {id(x): i for i, x in enumerate(inputs)}


_tracing: ContextVar[_Trace | None] = ContextVar("autograd_tracing", default=None)


class _GuardedData:
    """``Value.data`` while a trace runs: the slot's number for the node factories, Constants
    and other threads; a :class:`TraceError` for any other read in the tracing thread."""

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, obj: Value | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        number = self.slot.__get__(obj, owner)
        trace = _tracing.get()
        if trace is None or type(obj) is Constant:
            return number
        caller = sys._getframe(1)
        name = caller.f_code.co_name
        if caller.f_globals.get("__node_factory__") is True and name not in _HANDS_OUT:
            return number
        raise TraceError(_read_message(trace, obj, caller, _HANDS_OUT.get(name, ".data")))

    def __set__(self, obj: Value, number: float) -> None:
        self.slot.__set__(obj, number)


def _read_message(trace: _Trace, node: Value, caller: Any, how: str) -> str:
    frame = caller
    while frame is not None and frame.f_globals.get("__name__", "").startswith("autograd."):
        frame = frame.f_back  # name the line in fn (or the library it calls), not the engine's
    frame = frame or caller
    where = f"{frame.f_code.co_filename}:{frame.f_lineno}, in {frame.f_code.co_name}"
    if id(node) in trace.inputs:
        i = trace.inputs[id(node)]
        what = f"the number of input {i} (x{i})"
        advice = "a Python branch or a number computed from it is frozen at the traced input"
    elif node._op is None:
        label = f" {node.label!r}" if node.label else ""
        what = f"the number of the parameter{label} (a leaf Value fn reaches)"
        advice = (
            "its value would be frozen at trace time, while a parameter is read afresh on "
            "every call: use the Value itself (w, not w.data)"
        )
    else:
        what = f"the number of a node fn built ({node._op.name})"
        advice = "a Python branch or a number computed from it is frozen at the traced inputs"
    how = "reading .data" if how == ".data" else how
    return (
        f"compile: fn read {what} while being traced ({how}; {where}); {advice}, so the "
        "compiled program could return numbers eager would not. Write it with ops on the "
        "Values (relu, abs, logsumexp, ...) or keep this function eager."
    )


_guard_lock = threading.Lock()
_guard_users = 0


def _guard(on: bool) -> None:
    """Install (or, when the last trace ends, remove) the guard on ``Value.data``."""
    global _guard_users
    with _guard_lock:
        if on:
            if _guard_users == 0:
                Value.data = _GuardedData(Value.__dict__["data"])  # type: ignore[misc]
            _guard_users += 1
        else:
            _guard_users -= 1
            if _guard_users == 0:
                Value.data = Value.__dict__["data"].slot  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Tracing.

# Where a node's value lives while the program runs:
#   X: column of the input batch (kept as X.T, shape (n_inputs, batch));
#   R: row of the table of computed nodes that depend on the inputs, shape (n_rows, batch);
#   P: entry of the flat parameter array;
#   S: entry of the scalar table: constants, then computed nodes that do not depend on the
#      inputs (one number for the whole batch).
_X, _R, _P, _S = 0, 1, 2, 3


def _default_point(n_inputs: int) -> list[float]:
    # Distinct, positive, away from 0 and 1: defined for log, sqrt, division, ...
    return [0.5 + 0.2 * math.sin(1.7 * i + 1.0) for i in range(n_inputs)]


def _trace(fn: Callable[[list[Value]], Any], point: Sequence[float]) -> tuple[list, list, bool]:
    """Run ``fn`` on placeholder Values under the guard: the inputs, its output(s) as a list,
    and whether it returned a single Value."""
    inputs = [Value(float(x), label=f"x{i}") for i, x in enumerate(point)]
    tracing = _tracing.set(_Trace(inputs))
    _guard(True)
    try:
        with enable_grad():  # record even when compile() is called inside no_grad
            out = fn(inputs)
    finally:
        _guard(False)
        _tracing.reset(tracing)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    if not outs or not all(isinstance(o, Value) for o in outs):
        raise TypeError(
            f"compile: fn must return one Value (or a list of Values), got {_describe(out)}"
        )
    return inputs, outs, not isinstance(out, (list, tuple))


def _describe(out: object) -> str:
    if isinstance(out, (list, tuple)):
        kinds = sorted({type(o).__name__ for o in out})
        return f"a {type(out).__name__} of {', '.join(kinds) or 'nothing'}"
    return type(out).__name__


class _AllOutputs:
    """A stand-in inner node whose parents are the outputs: one walk from it covers them all."""

    __slots__ = ("_op", "_parents")

    def __init__(self, outs: list[Value]) -> None:
        self._op = "outputs"  # not a leaf (a walk expands a node whose _op is not None)
        self._parents = tuple(outs)


def _graph(outs: list[Value]) -> list[Value]:
    """Every node the outputs depend on, parents first: one depth-first walk from all of them
    (the engine's own, from a node whose parents are the outputs, that node left out)."""
    return topological_order(_AllOutputs(outs))[:-1]


# ---------------------------------------------------------------------------------------------
# Gathering the inputs of a group and scattering gradients back.


class _Env:
    """The arrays of one run: inputs, computed rows, parameters, scalars and their gradients."""

    __slots__ = ("P", "R", "S", "XT", "batch", "gP", "gR", "gS")

    def __init__(self) -> None:
        self.XT: np.ndarray
        self.R: np.ndarray
        self.P: np.ndarray
        self.S: np.ndarray
        self.gR: np.ndarray
        self.gP: np.ndarray
        self.gS: np.ndarray
        self.batch = 0


def _as_slice(index: np.ndarray) -> slice | None:
    if len(index) and np.array_equal(index, np.arange(index[0], index[0] + len(index))):
        return slice(int(index[0]), int(index[0]) + len(index))
    return None


def _unique(index: np.ndarray) -> bool:
    return len(np.unique(index)) == len(index)


_TABLES = {_X: "XT", _R: "R", _P: "P", _S: "S"}
_GRADS = {_R: "gR", _P: "gP", _S: "gS"}


class _Arg:
    """Where each entry of a group's stacked inputs is read from.

    ``gather(env)`` gives an array of shape (n, batch), or (n, 1) when every entry is one
    number for the whole batch (a parameter, a constant, a scalar node); ``scatter(env, c)``
    adds the gradient contributions ``c`` (n, batch) or (n, 1) back.
    """

    __slots__ = ("gather", "n", "needs_grad", "parts", "scatter")

    def __init__(self, refs: list[tuple[int, int]], needs_grad: list[bool]) -> None:
        self.n = len(refs)
        sources = np.array([s for s, _ in refs])
        index = np.array([i for _, i in refs], dtype=np.intp)
        # parts: (source, positions within the group, indices into the source)
        self.parts = []
        for source in (_X, _R, _P, _S):
            where = np.flatnonzero(sources == source)
            if len(where):
                self.parts.append((source, where, index[where]))
        self.needs_grad = any(needs_grad)
        self.gather = self._make_gather()
        grad_mask = np.array(needs_grad, dtype=bool)
        self.scatter = self._make_scatter(grad_mask) if self.needs_grad else None

    def _make_gather(self) -> Callable[[_Env], np.ndarray]:
        if len(self.parts) == 1:
            source, _, index = self.parts[0]
            where: slice | np.ndarray = _as_slice(index) or index
            name = _TABLES[source]
            if source in (_P, _S):
                return lambda env: getattr(env, name)[where, None]
            return lambda env: getattr(env, name)[where]
        parts, n = self.parts, self.n

        def gather_mixed(env: _Env) -> np.ndarray:
            out = np.empty((n, env.batch))
            for source, positions, index in parts:
                table = getattr(env, _TABLES[source])
                out[positions] = table[index, None] if source in (_P, _S) else table[index]
            return out

        return gather_mixed

    def _make_scatter(self, grad_mask: np.ndarray) -> Callable[[_Env, np.ndarray], None]:
        steps = []
        for source, positions, index in self.parts:
            keep = grad_mask[positions]
            if source == _X or not keep.any():
                continue  # inputs and constants need no gradient
            positions, index = positions[keep], index[keep]
            where = _as_slice(index) if _unique(index) else None
            steps.append(
                (
                    _GRADS[source],
                    positions,
                    where or index,
                    _unique(index),
                    len(positions) == self.n,
                )
            )

        def scatter(env: _Env, c: np.ndarray) -> None:
            for name, positions, index, unique, everything in steps:
                part = c if everything else c[positions]
                table = getattr(env, name)
                if name == "gR":
                    if part.shape[1] != env.batch:
                        part = np.broadcast_to(part, (part.shape[0], env.batch))
                else:
                    part = part.sum(axis=1) if part.shape[1] != 1 else part[:, 0]
                if unique:
                    table[index] += part
                else:
                    np.add.at(table, index, part)

        return scatter


# ---------------------------------------------------------------------------------------------
# Steps: one per group of nodes.


class _Step:
    """A group of k nodes of one depth and one op, run as one call of the row's rule on the
    stacked inputs (arity, k, batch)."""

    __slots__ = ("arg", "arity", "needs_grad", "op", "out_slice", "position_needs", "scalar")

    def __init__(
        self, op: Op, refs: list[list[tuple[int, int]]], needs: list[list[bool]],
        out_slice: slice, scalar: bool,
    ) -> None:  # fmt: skip
        self.op = op
        self.out_slice = out_slice
        self.scalar = scalar
        self.arity = len(refs[0])
        # position-major: entry j * k + i is input j of node i
        flat_refs = [node_refs[j] for j in range(self.arity) for node_refs in refs]
        flat_needs = [node_needs[j] for j in range(self.arity) for node_needs in needs]
        self.arg = _Arg(flat_refs, flat_needs)
        k = len(refs)
        self.position_needs = [any(flat_needs[j * k : (j + 1) * k]) for j in range(self.arity)]
        self.needs_grad = self.arg.needs_grad

    def _inputs(self, env: _Env) -> np.ndarray:
        stacked = self.arg.gather(env)
        return stacked.reshape(self.arity, -1, stacked.shape[1])

    def forward(self, env: _Env, saved: list) -> None:
        xs = self._inputs(env)
        out = self.compute(xs)
        if self.scalar:
            env.S[self.out_slice] = out[:, 0]
        else:
            env.R[self.out_slice] = out
        saved.append((out, xs))

    def compute(self, xs: np.ndarray) -> np.ndarray:
        return self.op.forward(NUMPY_MATH, *xs)

    def local(self, out: np.ndarray, xs: np.ndarray) -> Sequence[Any]:
        return self.op.derivatives(NUMPY_MATH, out, *xs)

    def backward(self, env: _Env, saved: tuple) -> None:
        out, xs = saved
        g = env.gS[self.out_slice, None] if self.scalar else env.gR[self.out_slice]
        width = max(g.shape[1], xs.shape[2])
        c = np.zeros((self.arity, g.shape[0], width))
        for j, d in enumerate(self.local(out, xs)):
            if self.position_needs[j] and not (type(d) is float and d == 0.0):
                c[j] = g if type(d) is float and d == 1.0 else g * d
        self.arg.scatter(env, c.reshape(-1, width))


class _AdditiveStep(_Step):
    """A row declared ``additive`` (``sum``): f = Σ x_i, every local derivative 1."""

    __slots__ = ()

    def compute(self, xs: np.ndarray) -> np.ndarray:
        return xs.sum(axis=0)

    def backward(self, env: _Env, saved: tuple) -> None:
        g = env.gS[self.out_slice, None] if self.scalar else env.gR[self.out_slice]
        c = np.broadcast_to(g, (self.arity, *g.shape)).reshape(-1, g.shape[1])
        self.arg.scatter(env, c)


class _BilinearStep(_Step):
    """A row declared ``bilinear`` (``dot``, ``affine`` with ``bias``) whose weights are not a
    layer's parameters: f = Σ w_i x_i (+ b) on the stacked inputs; df/dw_i = x_i, df/dx_i = w_i.
    """

    __slots__ = ("half",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.half = self.arity // 2

    def compute(self, xs: np.ndarray) -> np.ndarray:
        n = self.half
        out = (xs[:n] * xs[n : 2 * n]).sum(axis=0)
        return out + xs[-1] if self.op.bias else out

    def local(self, out: np.ndarray, xs: np.ndarray) -> Sequence[Any]:
        n = self.half
        return [*xs[n : 2 * n], *xs[:n], *([1.0] if self.op.bias else [])]


class _MatmulStep(_Step):
    """Nodes of a ``bilinear`` row with parameter weights over the same inputs: W @ X (+ b).

    From the row's declaration: f = Σ w_i x_i, d f/d w_i = x_i, d f/d x_i = w_i, so over a
    batch out = W X, dL/dW = G X^T (summed over the batch) and dL/dX = W^T G; with ``bias``,
    + b and dL/db = G summed over the batch.
    """

    __slots__ = ("bias", "inputs", "weights")

    def __init__(
        self, op: Op, weight_index: np.ndarray, inputs: _Arg, out_slice: slice,
        bias_index: np.ndarray | None, sole_weights: bool = False,
    ) -> None:  # fmt: skip
        self.op = op
        self.out_slice = out_slice
        self.scalar = False
        self.arity = op.arity
        self.position_needs = []
        self.needs_grad = True  # the weights are parameters
        self.inputs = inputs
        self.arg = inputs
        self.weights = _ParameterBlock(weight_index, sole_weights)
        self.bias = None if bias_index is None else _ParameterBlock(bias_index[:, None])

    def forward(self, env: _Env, saved: list) -> None:
        weights = self.weights.read(env.P)
        xs = self.inputs.gather(env)
        out = weights @ xs
        if self.bias is not None:
            out += self.bias.read(env.P)
        env.R[self.out_slice] = out
        saved.append((out, xs, weights))

    def backward(self, env: _Env, saved: tuple) -> None:
        _, xs, weights = saved
        g = env.gR[self.out_slice]
        self.weights.add_product(env.gP, g, xs.T)
        if self.bias is not None:
            self.bias.add(env.gP, g.sum(axis=1, keepdims=True))
        if self.inputs.scatter is not None:
            self.inputs.scatter(env, weights.T @ g)


class _ParameterBlock:
    """A (k, n) block of the parameter array, by index; a strided view when the indices are
    evenly spaced rows (a layer's weights laid out neuron by neuron, each row w..., b)."""

    __slots__ = ("_cached", "index", "layout", "sole", "unique")

    def __init__(self, index: np.ndarray, sole: bool = False) -> None:
        self.index = index
        self.sole = sole  # no other node reads these parameters: their gradient is ours alone
        self._cached: tuple[tuple[np.ndarray, np.ndarray], ...] = ()
        k, n = index.shape
        start = int(index[0, 0])
        row_stride = int(index[1, 0] - start) if k > 1 else n
        expected = start + row_stride * np.arange(k)[:, None] + np.arange(n)[None, :]
        regular = row_stride >= n and np.array_equal(index, expected)
        self.layout = (start, row_stride, k, n) if regular else None
        self.unique = regular or _unique(index.ravel())  # evenly spaced rows never overlap

    def read(self, table: np.ndarray) -> np.ndarray:
        if self.layout is None:
            return table[self.index]
        cached = self._cached  # views of the last two tables (a training loop's P and its grads)
        for known, view in cached:
            if known is table:
                return view
        start, row_stride, k, n = self.layout
        view = np.lib.stride_tricks.as_strided(
            table[start:], shape=(k, n), strides=(row_stride * table.itemsize, table.itemsize)
        )
        self._cached = ((table, view), *cached[:1])  # one assignment: threads see whole pairs
        return view

    def add_product(self, table: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        """Add a @ b to the block; written in place when the block alone feeds these entries
        (the gradient array starts at 0), without a temporary as large as the layer."""
        if self.sole and self.layout is not None:
            np.matmul(a, b, out=self.read(table))
        else:
            self.add(table, a @ b)

    def add(self, table: np.ndarray, values: np.ndarray) -> None:
        if self.layout is not None and self.unique:
            view = self.read(table)
            view += values
        elif self.unique:
            table[self.index] += values
        else:
            np.add.at(table, self.index.ravel(), values.ravel())


# ---------------------------------------------------------------------------------------------
# Errors of a run: found after the fact, so a run without one pays two checks.


def _first_not_finite(steps: list[_Step], saved: list) -> tuple[_Step, int, int] | None:
    for step, step_saved in zip(steps, saved, strict=False):
        out = step_saved[0]
        bad = ~np.isfinite(out)
        if bad.any():
            node, row = (int(v) for v in np.argwhere(bad)[0])
            return step, node, row
    return None


def _operands(step: _Step, saved: tuple, node: int, row: int) -> tuple[float, ...]:
    xs = saved[1]
    if isinstance(step, _MatmulStep):
        return ()
    return tuple(float(x[node, min(row, x.shape[1] - 1)]) for x in xs)


def _where(step: _Step, row: int) -> str:
    return "every row (the node does not depend on the inputs)" if step.scalar else f"row {row}"


def _forward_error(steps: list[_Step], saved: list) -> Exception:
    found = _first_not_finite(steps, saved)
    if found is None:
        return ValueError("compiled: an output is not finite")
    step, node, row = found
    inputs = _operands(step, saved[steps.index(step)], node, row)
    where = _where(step, row)
    if step.op.check is not None and inputs:
        try:
            step.op.check(*inputs)  # the eager check words the error, when it applies
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            return type(error)(f"compiled {step.op.name}, batch {where}: {error}")
    return OverflowError(
        f"compiled {step.op.name}, batch {where}: the result is not a finite number "
        f"for inputs {inputs}"
    )


# ---------------------------------------------------------------------------------------------
# The compiled program.


class Compiled:
    """``fn`` traced once and run over batches; see :func:`compile`.

    Attributes:
        parameters: every leaf ``fn`` reached besides the inputs and Constants: the entries of
            the flat parameter array, in order. ``__call__`` and ``backward`` read their
            ``.data`` afresh on every call.
        n_inputs: columns expected in ``X``.
        n_outputs: Values ``fn`` returns (1 for a single Value).
        n_nodes: nodes in the traced graph.
        steps: the grouped steps, in the order they run (``len(steps)`` is a measure of how
            much Python work a call costs).
    """

    def __init__(
        self,
        n_inputs: int,
        parameters: list[Value],
        constants: np.ndarray,
        n_scalars: int,
        n_rows: int,
        steps: list[_Step],
        outputs: list[tuple[int, int]],
        output_needs_grad: bool,
        n_nodes: int,
        single: bool,
    ) -> None:
        self.n_inputs = n_inputs
        self.parameters = parameters
        self._constants = constants
        self._n_scalars = n_scalars
        self._n_rows = n_rows
        self.steps = steps
        self._outputs = outputs
        self.n_outputs = len(outputs)
        self._single = single
        self._output_needs_grad = output_needs_grad
        self.n_nodes = n_nodes
        rows = [index for source, index in outputs if source == _R]
        self._output_rows = np.array(rows, dtype=np.intp) if len(rows) == len(outputs) else None

    def __repr__(self) -> str:
        return (
            f"Compiled(n_inputs={self.n_inputs}, nodes={self.n_nodes}, "
            f"parameters={len(self.parameters)}, steps={len(self.steps)})"
        )

    def parameter_values(self) -> np.ndarray:
        """The parameters' current ``.data`` as a new flat array (the order of ``parameters``)."""
        # A list comprehension reads many Values faster than fromiter(map(attrgetter)).
        return np.array([p.data for p in self.parameters], dtype=np.float64)

    def _check_batch(self, X: Any) -> np.ndarray:  # noqa: N803  (X: a batch, as in the API)
        X = np.asarray(X, dtype=np.float64)  # noqa: N806
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"compiled: X must have shape (batch, {self.n_inputs}), got {X.shape}")
        if X.shape[0] == 0:
            raise ValueError("compiled: X has no rows")
        return X

    @staticmethod
    def _check_finite(X: np.ndarray) -> None:  # noqa: N803
        if not np.isfinite(X).all():
            row = int(np.argwhere(~np.isfinite(X))[0][0])
            raise ValueError(f"compiled: X has a NaN or an infinity in row {row}")

    def _check_parameters(self, parameters: Any) -> np.ndarray:
        if parameters is None:
            return self.parameter_values()
        if (
            not isinstance(parameters, np.ndarray)
            or parameters.dtype != np.float64
            or parameters.shape != (len(self.parameters),)
        ):
            raise ValueError(
                f"compiled: parameters must be a float64 array of shape "
                f"({len(self.parameters)},), got {getattr(parameters, 'shape', parameters)!r}"
            )
        return parameters

    def _run(self, X: np.ndarray, P: np.ndarray) -> tuple[_Env, list, np.ndarray]:  # noqa: N803
        env = _Env()
        env.batch = X.shape[0]
        env.XT = X.T
        env.R = np.empty((self._n_rows, env.batch))
        env.P = P
        env.S = np.empty(self._n_scalars)
        env.S[: len(self._constants)] = self._constants
        saved: list = []
        with np.errstate(all="ignore"):
            for step in self.steps:
                step.forward(env, saved)
        outputs = self._columns(env)
        if not np.isfinite(outputs).all():
            self._check_finite(X)
            raise _forward_error(self.steps, saved)
        return env, saved, outputs

    def _columns(self, env: _Env) -> np.ndarray:
        """Every output, shape (n_outputs, batch)."""
        if self._output_rows is not None:
            return env.R[self._output_rows]
        columns = np.empty((self.n_outputs, env.batch))
        for i, (source, index) in enumerate(self._outputs):
            columns[i] = getattr(env, _TABLES[source])[index]
        return columns

    def __call__(self, X: Any) -> np.ndarray:  # noqa: N803
        """fn on each row of X (shape (batch, n_inputs)); returns shape (batch,), or
        (batch, k) when fn returns a list of k Values."""
        X = self._check_batch(X)  # noqa: N806
        self._check_finite(X)
        outputs = self._run(X, self.parameter_values())[2]
        return outputs[0].copy() if self._single else outputs.T.copy()

    def value_and_grad(
        self,
        X: Any,  # noqa: N803
        parameters: np.ndarray | None = None,
        grads: np.ndarray | None = None,
        reduction: str = "mean",
        inputs_checked: bool = False,
    ) -> tuple[float, np.ndarray]:
        """Forward and backward over the batch with the flat ``parameters`` (default: the
        Values' current numbers); the gradient of the reduced first output goes into ``grads``
        (overwritten; a new array when None). Returns the reduced first output and every
        output per row, shape (n_outputs, batch). Neither array nor any Value is changed
        when an error is raised, except ``grads``.

        ``reduction="mean"``: L = (1/B) Σ_b fn(X_b)[0]; ``"sum"``: L = Σ_b fn(X_b)[0].
        ``inputs_checked=True`` skips the scan of X for NaN and infinities (a caller that
        checked its data once, as ``fit`` does); a bad number then still stops the run when it
        reaches an output.
        """
        if reduction not in ("mean", "sum"):
            raise ValueError(f"compiled: reduction must be 'mean' or 'sum', got {reduction!r}")
        X = self._check_batch(X)  # noqa: N806
        if not inputs_checked:
            self._check_finite(X)
        P = self._check_parameters(parameters)  # noqa: N806
        env, saved, outputs = self._run(X, P)
        batch = env.batch
        seed = 1.0 / batch if reduction == "mean" else 1.0
        reduced = float(outputs[0].sum() * seed)
        if grads is None:
            grads = np.zeros(len(self.parameters))
        else:
            grads.fill(0.0)
        env.gP = grads
        env.gS = np.zeros(self._n_scalars)
        source, index = self._outputs[0]
        if source in (_X, _P) or not self._output_needs_grad:
            if source == _P:
                grads[index] += seed * batch
            return reduced, outputs
        if source == _R:
            env.gR = np.zeros((self._n_rows, batch))
            env.gR[index] = seed
        else:
            env.gR = np.zeros((self._n_rows, 1))
            env.gS[index] = seed * batch
        with np.errstate(all="ignore"):
            for step, step_saved in zip(reversed(self.steps), reversed(saved), strict=True):
                if step.needs_grad:
                    step.backward(env, step_saved)
        if not np.isfinite(grads).all():
            grads.fill(0.0)
            raise ValueError(
                "compiled backward: a derivative is not a finite number "
                f"({self._bad_derivative(saved)}); no gradient was changed"
            )
        return reduced, outputs

    def _bad_derivative(self, saved: list) -> str:
        """Which step's local derivative is not finite (for the error message)."""
        for step, step_saved in zip(self.steps, saved, strict=True):
            if isinstance(step, _MatmulStep):
                continue
            out, xs = step_saved[:2]
            with np.errstate(all="ignore"):
                local = step.local(out, xs)
            for d in local:
                if type(d) is float:
                    continue
                bad = ~np.isfinite(np.broadcast_to(d, out.shape))
                if bad.any():
                    node, row = (int(v) for v in np.argwhere(bad)[0])
                    inputs = _operands(step, step_saved, node, row)
                    where = _where(step, row)
                    return f"the derivative of {step.op.name} at batch {where}, inputs {inputs}"
        return "a gradient overflowed"

    def backward(self, X: Any, reduction: str = "mean") -> float:  # noqa: N803
        """Add d(reduced output)/dp to ``p.grad`` for every parameter; return the reduced output.

        ``reduction="mean"``: L = (1/B) Σ_b fn(X_b); ``"sum"``: L = Σ_b fn(X_b). As with eager
        ``backward()``, parameters accumulate; nothing is changed if an error is raised.
        """
        if reduction not in ("mean", "sum"):
            raise ValueError(f"compiled: reduction must be 'mean' or 'sum', got {reduction!r}")
        if not self._single:
            raise ValueError(
                f"compiled: backward needs fn to return one Value; it returns "
                f"{self.n_outputs} (sum them inside fn for one loss)"
            )
        grads = np.zeros(len(self.parameters))
        reduced, _ = self.value_and_grad(X, None, grads, reduction)
        for parameter, g in zip(self.parameters, grads.tolist(), strict=True):
            parameter.grad += g
        return reduced


def compile(  # noqa: A001  (autograd.compile; not exported by star-imports)
    fn: Callable[[list[Value]], Value],
    n_inputs: int,
    example: Sequence[float] | None = None,
    *,
    parameters: Sequence[Value] = (),
) -> Compiled:
    """Trace ``fn`` (a list of ``n_inputs`` Values -> one Value) into a batched program.

    ``fn`` may also return a list of Values (a network's outputs): calls then return
    (batch, k); :meth:`Compiled.value_and_grad` differentiates the first.

    ``fn`` is traced once, at ``example`` (default: distinct numbers in (0.3, 0.7)); pass a row
    where ``fn`` is defined when the default point is outside its domain. Reading a Value's
    number inside ``fn`` raises :class:`TraceError` (see the module docstring).
    ``parameters`` fixes the order of the flat parameter array (an optimizer's order); leaves
    ``fn`` reaches that are not listed come after them.
    """
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, int) or n_inputs < 0:
        raise ValueError(f"compile: n_inputs must be a non-negative int, got {n_inputs!r}")
    if not callable(fn):
        raise TypeError(f"compile: fn must be callable, got {type(fn).__name__}")
    point = _default_point(n_inputs) if example is None else [float(x) for x in example]
    if len(point) != n_inputs:
        raise ValueError(f"compile: example has {len(point)} numbers, n_inputs is {n_inputs}")
    try:
        inputs, outs, single = _trace(fn, point)
    except TraceError:
        raise
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise TraceError(
            f"compile: fn failed on the placeholder inputs {point}: {error}; pass "
            "example=[...] with a row where fn is defined"
        ) from error
    return _build(_graph(outs), inputs, outs, single, list(parameters))


def _build(
    order: list[Value], inputs: list[Value], outs: list[Value], single: bool, listed: list[Value]
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
    location: dict[Value, tuple[int, int]] = {x: (_X, i) for i, x in enumerate(inputs)}
    location.update((c, (_S, i)) for i, c in enumerate(constants))
    parameter_index = dict(zip(parameters, range(len(parameters))))

    def where(node: Value) -> tuple[int, int]:
        return location[node] if node in location else (_P, parameter_index[node])

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
        key: tuple = (depth[node], row, op.name, len(node._parents))
        if op.bilinear and row:
            half = len(node._parents) // 2
            weights, xs = node._parents[:half], node._parents[half : 2 * half]
            if (
                (not op.bias or node._parents[-1] in parameter_index)
                and parameter_index.keys() >= set(weights)
                and per_row.issuperset(xs)
            ):
                key = (*key, "matmul", tuple(map(id, xs)))
        groups.setdefault(key, []).append(node)

    uses = collections.Counter(itertools.chain.from_iterable(n._parents for n in computed))
    steps: list[_Step] = []
    n_rows = 0
    n_scalars = n_consts
    for key in sorted(groups, key=lambda k: k[0]):
        nodes = groups[key]
        op = OPS[key[2]]
        row = key[1]
        start = n_rows if row else n_scalars
        for i, node in enumerate(nodes):
            location[node] = (_R if row else _S, start + i)
        out_slice = slice(start, start + len(nodes))
        if row:
            n_rows += len(nodes)
        else:
            n_scalars += len(nodes)
        if len(key) > 4:  # a layer: one matrix product
            half = key[3] // 2
            weight_index = np.array(
                [list(map(parameter_index.__getitem__, node._parents[:half])) for node in nodes],
                dtype=np.intp,
            )
            xs = nodes[0]._parents[half : 2 * half]
            inputs_arg = _Arg([location[x] for x in xs], [x in differentiable for x in xs])
            bias_index = (
                np.array([parameter_index[node._parents[-1]] for node in nodes], dtype=np.intp)
                if op.bias
                else None
            )
            weights = itertools.chain.from_iterable(node._parents[:half] for node in nodes)
            sole = all(uses[w] == 1 for w in weights)
            steps.append(_MatmulStep(op, weight_index, inputs_arg, out_slice, bias_index, sole))
            continue
        refs = [[where(p) for p in node._parents] for node in nodes]
        needs = [[p in differentiable for p in node._parents] for node in nodes]
        if op.additive:
            steps.append(_AdditiveStep(op, refs, needs, out_slice, not row))
        elif op.bilinear:
            steps.append(_BilinearStep(op, refs, needs, out_slice, not row))
        else:
            steps.append(_Step(op, refs, needs, out_slice, not row))

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
    )
