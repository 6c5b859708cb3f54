"""``autograd.compile``: trace a scalar function once, then run it over a whole NumPy batch.

``compile(fn, n_inputs)`` calls ``fn`` on placeholder Values and records the graph it builds as
a flat *program*: every node is an op-table row (:data:`autograd.ops.OPS`) plus the positions
of its inputs. Running the program on a batch ``X`` of shape (batch, n_inputs) evaluates each
node as a vector over the batch, using the row's own ``forward`` and ``derivatives`` with the
NumPy backend :data:`NUMPY_MATH`. No derivative is written here: the executor calls the table.

Speed comes from grouping, not from new math:

* nodes of the same depth and op become one step: gather their inputs into ``(k, batch)``
  arrays, call the row's rule once, scatter the results;
* nodes that do not depend on the inputs (an L2 penalty on the parameters) are computed once,
  as scalars, and their gradient is the batch sum of what flows into them;
* nodes of a row declared ``bilinear`` (``dot``) of one depth whose weights are parameters and
  whose inputs are the same Values in the same order (the neurons of a layer) become one
  matrix product; with ``bias`` (``affine``) the biases are added to the product, and their
  gradient is the batch sum of what flows into the layer;
* nodes of a row declared ``additive`` (``sum``) become one stacked sum.

What tracing cannot capture: the program is the graph ``fn`` built on the placeholders. A
Python branch on ``.data`` (``if x.data > 0``), ``float(v)``, ``Value(v.data)``, a
data-dependent loop count or random numbers drawn inside ``fn`` are frozen at the traced
values. ``compile`` traces ``fn`` at up to three different points and raises
:class:`TraceError` when the programs differ, which catches most such cases; use ops
(``relu``, ``abs``, ...) instead of branches.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .backends import NumpyMath, numpy_math
from .backward import topological_order
from .ops import OPS, Op
from .scope import enable_grad
from .value import Constant, Value

__all__ = ["NUMPY_MATH", "Compiled", "NumpyMath", "TraceError", "compile"]


NUMPY_MATH = numpy_math()


class TraceError(ValueError):
    """``fn`` cannot be compiled: it failed on the placeholders, or its graph depends on them."""


# ---------------------------------------------------------------------------------------------
# Reading the table: rows whose declared structure has a fused form.

_BILINEAR = {name for name, op in OPS.items() if op.bilinear and not op.bias}
_BILINEAR_BIAS = {name for name, op in OPS.items() if op.bilinear and op.bias}
_ADDITIVE = {name: 1.0 for name, op in OPS.items() if op.additive}


# ---------------------------------------------------------------------------------------------
# Tracing.

# Where a node's value lives while the program runs:
#   X: column of the input batch (kept as X.T, shape (n_inputs, batch));
#   R: row of the table of computed nodes that depend on the inputs, shape (n_rows, batch);
#   S: entry of the scalar table: parameters, then constants, then computed nodes that do not
#      depend on the inputs (one number for the whole batch).
_X, _R, _S = 0, 1, 2
_SOURCE_NAMES = ("input", "computed", "scalar")


def _default_point(n_inputs: int) -> list[float]:
    # Distinct, positive, away from 0 and 1: defined for log, sqrt, division, ...
    return [0.5 + 0.2 * math.sin(1.7 * i + 1.0) for i in range(n_inputs)]


def _trace(fn: Callable[[list[Value]], Any], point: Sequence[float]) -> tuple[list, list, bool]:
    """Run ``fn`` on placeholder Values: the inputs, its output(s) as a list, and whether it
    returned a single Value."""
    inputs = [Value(float(x), label=f"x{i}") for i, x in enumerate(point)]
    with enable_grad():  # record even when compile() is called inside no_grad
        out = fn(inputs)
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


def _graph(outs: list[Value]) -> list[Value]:
    """Every node the outputs depend on, parents first (one topological order per output,
    concatenated without repeats, is still a topological order)."""
    order: list[Value] = []
    seen: set[int] = set()
    for out in outs:
        for node in topological_order(out):
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
    return order


def _signature(inputs: list[Value], outs: list[Value]) -> tuple[list[Value], list[tuple]]:
    """The graph of ``outs`` in topological order, and a comparable description of each node."""
    order = _graph(outs)
    position = {id(node): i for i, node in enumerate(order)}
    input_index = {id(x): i for i, x in enumerate(inputs)}
    described = []
    for node in order:
        if id(node) in input_index:
            described.append(("input", input_index[id(node)]))
        elif node._op is None:
            kind = "constant" if isinstance(node, Constant) else "leaf"
            described.append((kind, node.data, id(node)))
        else:
            described.append((node._op.name, tuple(position[id(p)] for p in node._parents)))
    described.append(("outputs", tuple(position[id(o)] for o in outs)))
    return order, described


def _differs(first: list[tuple], second: list[tuple]) -> str | None:
    """Why two traces' programs differ, or None when they describe the same program."""
    if len(first) != len(second):
        return f"the graphs have {len(first)} and {len(second)} nodes"
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        if a[0] != b[0]:
            return f"node {i} is {a[0]!r} in one trace and {b[0]!r} in the other"
        if a[0] == "constant" and a[1] != b[1]:
            return (
                f"node {i} is the constant {a[1]!r} in one trace and {b[1]!r} in the other "
                "(a number computed from .data?)"
            )
        if a[0] == "leaf" and a[2] != b[2] and a[1] != b[1]:
            return (
                f"node {i} is a new leaf Value made inside fn, {a[1]!r} in one trace and "
                f"{b[1]!r} in the other (Value(x.data) or float(x) cuts the graph)"
            )
        if a[0] == "outputs" and a[1] != b[1]:
            return "fn returns different nodes in the two traces"
        if a[0] not in ("constant", "leaf") and a[1] != b[1]:
            return f"node {i} ({a[0]}) has different inputs in the two traces"
    return None


# ---------------------------------------------------------------------------------------------
# Gathering the inputs of a group and scattering gradients back.


class _Env:
    """The arrays of one run: inputs, computed rows, scalars and their gradients."""

    __slots__ = ("R", "S", "XT", "batch", "gR", "gS")

    def __init__(self) -> None:
        self.XT: np.ndarray
        self.R: np.ndarray
        self.S: np.ndarray
        self.gR: np.ndarray
        self.gS: np.ndarray
        self.batch = 0


def _as_slice(index: np.ndarray) -> slice | None:
    if len(index) and np.array_equal(index, np.arange(index[0], index[0] + len(index))):
        return slice(int(index[0]), int(index[0]) + len(index))
    return None


def _unique(index: np.ndarray) -> bool:
    return len(np.unique(index)) == len(index)


class _Arg:
    """One argument position of a group: where each node of the group reads it from.

    ``gather(env)`` gives an array of shape (k, batch), or (k, 1) when every entry is a scalar;
    ``scatter(env, c)`` adds the gradient contributions ``c`` (k, batch) or (k, 1) back.
    """

    __slots__ = ("gather", "k", "needs_grad", "parts", "scatter")

    def __init__(self, refs: list[tuple[int, int]], needs_grad: list[bool]) -> None:
        self.k = len(refs)
        sources = np.array([s for s, _ in refs])
        index = np.array([i for _, i in refs], dtype=np.intp)
        # parts: (source, positions within the group, indices into the source)
        self.parts = []
        for source in (_X, _R, _S):
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
            where = _as_slice(index)
            if source == _S:
                if where is not None:
                    return lambda env: env.S[where, None]
                return lambda env: env.S[index, None]
            name = "XT" if source == _X else "R"
            if where is not None:
                return lambda env: getattr(env, name)[where]
            return lambda env: getattr(env, name)[index]
        parts, k = self.parts, self.k

        def gather_mixed(env: _Env) -> np.ndarray:
            out = np.empty((k, env.batch))
            for source, positions, index in parts:
                if source == _S:
                    out[positions] = env.S[index, None]
                else:
                    out[positions] = (env.XT if source == _X else env.R)[index]
            return out

        return gather_mixed

    def _make_scatter(self, grad_mask: np.ndarray) -> Callable[[_Env, np.ndarray], None]:
        steps = []
        for source, positions, index in self.parts:
            keep = grad_mask[positions]
            if source == _X or not keep.any():
                continue  # inputs and constants need no gradient
            positions, index = positions[keep], index[keep]
            steps.append((source, positions, index, _unique(index), len(positions) == self.k))

        def scatter(env: _Env, c: np.ndarray) -> None:
            for source, positions, index, unique, everything in steps:
                part = c if everything else c[positions]
                if source == _R:
                    if part.shape[1] != env.batch:
                        part = np.broadcast_to(part, (len(index), env.batch))
                    if unique:
                        env.gR[index] += part
                    else:
                        np.add.at(env.gR, index, part)
                else:
                    total = part.sum(axis=1) if part.shape[1] != 1 else part[:, 0]
                    if unique:
                        env.gS[index] += total
                    else:
                        np.add.at(env.gS, index, total)

        return scatter


def _locate(xs: list[np.ndarray], bad: np.ndarray, scalar: bool) -> tuple[str, tuple]:
    """The first (node, row) of a group where ``bad`` is set, and that node's inputs there."""
    node, row = (int(v) for v in np.argwhere(bad)[0])
    shape = bad.shape
    inputs = tuple(float(np.broadcast_to(x, shape)[node, row]) for x in xs)
    where = "every row (the node does not depend on the inputs)" if scalar else f"row {row}"
    return where, inputs


# ---------------------------------------------------------------------------------------------
# Steps: one per group of nodes.


class _Step:
    """A group of nodes of one depth and one op, run as one call of the row's rule."""

    __slots__ = ("args", "checked", "needs_grad", "op", "out_slice", "scalar")

    def __init__(self, op: Op, args: list[_Arg], out_slice: slice, scalar: bool) -> None:
        self.op = op
        self.args = args
        self.out_slice = out_slice
        self.scalar = scalar
        # Rows with a domain check are the ones whose forward or derivative can leave the reals.
        self.checked = op.check is not None
        self.needs_grad = any(arg.needs_grad for arg in args)

    def forward(self, env: _Env, saved: list) -> None:
        xs = [arg.gather(env) for arg in self.args]
        out = self.op.forward(NUMPY_MATH, *xs)
        if self.checked:
            self._check_forward(out, xs)
        if self.scalar:
            env.S[self.out_slice] = out[:, 0]
        else:
            env.R[self.out_slice] = out
        saved.append((out, xs))

    def _check_forward(self, out: np.ndarray, xs: list[np.ndarray]) -> None:
        finite = np.isfinite(out)
        if finite.all():
            return
        where, inputs = _locate(xs, ~finite, self.scalar)
        try:
            self.op.check(*inputs)  # the eager check words the error, when it applies
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            raise type(error)(f"compiled {self.op.name}, batch {where}: {error}") from None
        bad = float(np.broadcast_to(out, finite.shape)[~finite][0])
        raise ValueError(
            f"compiled {self.op.name}, batch {where}: result {bad!r} is not finite "
            f"for inputs {inputs}"
        )

    def backward(self, env: _Env, saved: tuple) -> None:
        out, xs = saved
        g = env.gS[self.out_slice, None] if self.scalar else env.gR[self.out_slice]
        local = self.op.derivatives(NUMPY_MATH, out, *xs)
        for arg, d in zip(self.args, local, strict=True):
            if arg.scatter is None:
                continue
            if type(d) is float:
                c = g if d == 1.0 else g * d
            else:
                if self.checked:
                    self._check_derivative(d, xs)
                c = g * d
            arg.scatter(env, c)

    def _check_derivative(self, d: np.ndarray, xs: list[np.ndarray]) -> None:
        finite = np.isfinite(d)
        if finite.all():
            return
        where, inputs = _locate(xs, ~finite, self.scalar)
        raise ValueError(
            f"compiled backward: the derivative of {self.op.name} at batch {where}, inputs "
            f"{inputs}, is not a finite number; no gradient was changed"
        )


class _AdditiveStep(_Step):
    """An n-ary row whose derivatives are one constant c (``sum``): a stacked sum."""

    __slots__ = ("constant", "rows", "source", "stacked", "unique")

    def __init__(
        self, op: Op, refs: list[list[tuple[int, int]]], needs: list[list[bool]], out_slice: slice,
        scalar: bool, constant: float,
    ) -> None:  # fmt: skip
        super().__init__(op, [], out_slice, scalar)
        self.constant = constant
        self.source = refs[0][0][0]
        # stacked[i, j] is the index of input i of node j
        self.stacked = np.array([[ref[1] for ref in row] for row in refs], dtype=np.intp).T
        self.unique = _unique(self.stacked.ravel())
        self.rows = [(row, _unique(row)) for row in self.stacked]
        self.needs_grad = self.source != _X and any(any(row) for row in needs)

    def forward(self, env: _Env, saved: list) -> None:
        if self.source == _S:
            total = self.constant * env.S[self.stacked].sum(axis=0)
            env.S[self.out_slice] = total
        else:
            table = env.XT if self.source == _X else env.R
            env.R[self.out_slice] = self.constant * table[self.stacked].sum(axis=0)
        saved.append(None)

    def backward(self, env: _Env, saved: tuple) -> None:
        if self.source == _S:
            g = env.gS[self.out_slice] * self.constant
            weights = np.broadcast_to(g, self.stacked.shape)
            if self.unique:
                env.gS[self.stacked] += weights
            else:
                np.add.at(env.gS, self.stacked.ravel(), weights.ravel())
        else:
            g = env.gR[self.out_slice] * self.constant
            for row, unique in self.rows:  # one input position at a time: rows may repeat
                if unique:
                    env.gR[row] += g
                else:
                    np.add.at(env.gR, row, g)


class _MatmulStep(_Step):
    """``dot`` (or ``affine``) nodes of one depth with parameter weights over the same inputs:
    W @ X (+ b).

    From the row: f = Σ w_i x_i, d f/d w_i = x_i, d f/d x_i = w_i, so over a batch
    out = W X, dL/dW = G X^T (summed over the batch) and dL/dX = W^T G.
    """

    __slots__ = (
        "bias_index",
        "bias_unique",
        "inputs",
        "shape",
        "weight_index",
        "weight_slice",
        "weight_unique",
    )

    def __init__(
        self,
        op: Op,
        weight_index: np.ndarray,
        inputs: _Arg,
        out_slice: slice,
        bias_index: np.ndarray | None = None,
    ) -> None:
        super().__init__(op, [inputs], out_slice, False)
        # ``affine`` rows: + b (one scalar per node), d/db = 1, so dL/db = G summed over the batch
        self.bias_index = bias_index
        self.bias_unique = bias_index is None or _unique(bias_index)
        self.needs_grad = True  # the weights are parameters or constants; see _build
        self.weight_index = weight_index  # (k, n) indices into S
        self.shape = weight_index.shape
        # _build lays a layer's weights out row by row, so W is usually a view of S
        self.weight_slice = _as_slice(weight_index.ravel())
        self.weight_unique = _unique(weight_index.ravel())
        self.inputs = inputs

    def forward(self, env: _Env, saved: list) -> None:
        if self.weight_slice is not None:
            weights = env.S[self.weight_slice].reshape(self.shape)
        else:
            weights = env.S[self.weight_index]
        xs = self.inputs.gather(env)
        out = weights @ xs
        if self.bias_index is not None:
            out += env.S[self.bias_index][:, None]
        env.R[self.out_slice] = out
        saved.append((weights, xs))

    def backward(self, env: _Env, saved: tuple) -> None:
        weights, xs = saved
        g = env.gR[self.out_slice]
        d_weights = g @ xs.T
        if self.weight_slice is not None:
            view = env.gS[self.weight_slice].reshape(self.shape)
            view += d_weights
        elif self.weight_unique:
            env.gS[self.weight_index] += d_weights
        else:
            np.add.at(env.gS, self.weight_index.ravel(), d_weights.ravel())
        if self.bias_index is not None:
            d_bias = g.sum(axis=1)
            if self.bias_unique:
                env.gS[self.bias_index] += d_bias
            else:
                np.add.at(env.gS, self.bias_index, d_bias)
        if self.inputs.scatter is not None:
            self.inputs.scatter(env, weights.T @ g)


# ---------------------------------------------------------------------------------------------
# The compiled program.


class Compiled:
    """``fn`` traced once and run over batches; see :func:`compile`.

    Attributes:
        parameters: every leaf ``fn`` reached besides the inputs and Constants, in graph order;
            their ``.data`` is read afresh on every call.
        n_inputs: columns expected in ``X``.
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
        self._output = outputs[0]
        # None when fn returned one Value; else where each of its outputs lives
        self._all_outputs = None if single else outputs
        self._output_needs_grad = output_needs_grad
        self.n_nodes = n_nodes

    def __repr__(self) -> str:
        return (
            f"Compiled(n_inputs={self.n_inputs}, nodes={self.n_nodes}, "
            f"parameters={len(self.parameters)}, steps={len(self.steps)})"
        )

    def _check_batch(self, X: Any) -> np.ndarray:  # noqa: N803  (X: a batch, as in the API)
        X = np.asarray(X, dtype=np.float64)  # noqa: N806
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"compiled: X must have shape (batch, {self.n_inputs}), got {X.shape}")
        if X.shape[0] == 0:
            raise ValueError("compiled: X has no rows")
        if np.isnan(X).any():
            row = int(np.argwhere(np.isnan(X))[0][0])
            raise ValueError(f"compiled: X has a NaN in row {row}")
        return X

    def _run(self, X: np.ndarray) -> tuple[_Env, list]:  # noqa: N803
        env = _Env()
        env.batch = X.shape[0]
        env.XT = X.T
        env.R = np.empty((self._n_rows, env.batch))
        scalars = np.empty(self._n_scalars)
        n_params = len(self.parameters)
        # A list comprehension reads 25k parameters faster than fromiter(map(attrgetter)).
        scalars[:n_params] = [p.data for p in self.parameters]
        scalars[n_params : n_params + len(self._constants)] = self._constants
        env.S = scalars
        saved: list = []
        with np.errstate(all="ignore"):
            for step in self.steps:
                step.forward(env, saved)
        return env, saved

    @staticmethod
    def _column(env: _Env, source: int, index: int) -> np.ndarray:
        if source == _R:
            return env.R[index]
        if source == _X:
            return env.XT[index]
        return np.full(env.batch, env.S[index])

    def _outputs(self, env: _Env) -> np.ndarray:
        return self._column(env, *self._output).copy()

    def __call__(self, X: Any) -> np.ndarray:  # noqa: N803
        """fn on each row of X (shape (batch, n_inputs)); returns shape (batch,), or
        (batch, k) when fn returns a list of k Values."""
        X = self._check_batch(X)  # noqa: N806
        env, _ = self._run(X)
        if self._all_outputs is None:
            return self._outputs(env)
        return np.stack([self._column(env, *where) for where in self._all_outputs], axis=1)

    def backward(self, X: Any, reduction: str = "mean") -> float:  # noqa: N803
        """Add d(reduced output)/dp to ``p.grad`` for every parameter; return the reduced output.

        ``reduction="mean"``: L = (1/B) Σ_b fn(X_b); ``"sum"``: L = Σ_b fn(X_b). As with eager
        ``backward()``, parameters accumulate; nothing is changed if an error is raised.
        """
        if reduction not in ("mean", "sum"):
            raise ValueError(f"compiled: reduction must be 'mean' or 'sum', got {reduction!r}")
        if self._all_outputs is not None:
            raise ValueError(
                f"compiled: backward needs fn to return one Value; it returns "
                f"{len(self._all_outputs)} (sum them inside fn for one loss)"
            )
        X = self._check_batch(X)  # noqa: N806
        env, saved = self._run(X)
        outputs = self._outputs(env)
        batch = env.batch
        seed = 1.0 / batch if reduction == "mean" else 1.0
        reduced = float(outputs.sum() * seed)
        env.gS = np.zeros(self._n_scalars)
        source, index = self._output
        if source == _X or not self._output_needs_grad:
            return reduced
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
        for parameter, g in zip(
            self.parameters, env.gS[: len(self.parameters)].tolist(), strict=True
        ):
            parameter.grad += g
        return reduced


def compile(  # noqa: A001  (autograd.compile; not exported by star-imports)
    fn: Callable[[list[Value]], Value],
    n_inputs: int,
    example: Sequence[float] | None = None,
) -> Compiled:
    """Trace ``fn`` (a list of ``n_inputs`` Values -> one Value) into a batched program.

    ``fn`` may also return a list of Values (a network's outputs): calls then return
    (batch, k), and ``backward`` is not available (a loss is one Value).

    ``example`` is the row to trace at (default: distinct numbers in (0.3, 0.7)); pass one where
    ``fn`` is defined when the default point is outside its domain. ``fn`` is traced again at
    other points (the negated and the doubled row) where it is defined, and :class:`TraceError`
    is raised if the graph changes: a sign that ``fn`` branches on ``.data``.
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
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise TraceError(
            f"compile: fn failed on the placeholder inputs {point}: {error}; pass "
            "example=[...] with a row where fn is defined"
        ) from error
    order, described = _signature(inputs, outs)
    for other_point in ([-x for x in point], [2.0 * x + 0.25 for x in point]):
        try:
            other = _signature(*_trace(fn, other_point)[:2])[1]
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            continue  # fn is not defined there; nothing to compare
        reason = _differs(described, other)
        if reason is not None:
            raise TraceError(
                f"compile: fn builds a different graph at inputs {other_point} than at "
                f"{point}: {reason}. A traced program cannot follow Python branches on .data, "
                "float(v) or Value(v.data); express them with ops (relu, abs, ...)."
            )
    return _build(order, inputs, outs, single)


def _build(order: list[Value], inputs: list[Value], outs: list[Value], single: bool) -> Compiled:
    input_index = {id(x): i for i, x in enumerate(inputs)}
    parameters: list[Value] = []
    constants: list[float] = []
    computed: list[Value] = []
    for node in order:
        if id(node) in input_index:
            continue
        if node._op is None:
            (constants if isinstance(node, Constant) else parameters).append(node)
        else:
            computed.append(node)
    n_params, n_consts = len(parameters), len(constants)
    constant_values = np.array([c.data for c in constants], dtype=np.float64)

    # Where each node lives, its depth and whether the loss depends on it through parameters.
    location: dict[int, tuple[int, int]] = {}
    needs_grad: dict[int, bool] = {}
    depth: dict[int, int] = {}
    for i, x in enumerate(inputs):
        location[id(x)] = (_X, i)
        needs_grad[id(x)] = False
        depth[id(x)] = 0
    for i, p in enumerate(parameters):
        location[id(p)] = (_S, i)
        needs_grad[id(p)] = True
        depth[id(p)] = 0
    for i, c in enumerate(constants):
        location[id(c)] = (_S, n_params + i)
        needs_grad[id(c)] = False
        depth[id(c)] = 0
    per_row: dict[int, bool] = {}  # depends on the inputs: a row of R, else a scalar
    for node in computed:
        parents = node._parents
        depth[id(node)] = 1 + max(depth[id(p)] for p in parents)
        needs_grad[id(node)] = any(needs_grad[id(p)] for p in parents)
        per_row[id(node)] = any(location[id(p)][0] != _S for p in parents)
        # Locations of computed nodes are assigned per group below; mark the kind now.
        location[id(node)] = (_R if per_row[id(node)] else _S, -1)

    # Group by (depth, row or scalar, op, arity); dots over shared inputs form their own groups.
    groups: dict[tuple, list[Value]] = {}
    for node in computed:
        op = node._op
        key: tuple = (depth[id(node)], per_row[id(node)], op.name, len(node._parents))
        biased = op.name in _BILINEAR_BIAS
        if (op.name in _BILINEAR or biased) and per_row[id(node)]:
            half = len(node._parents) // 2
            weights, xs = node._parents[:half], node._parents[half : 2 * half]
            bias_ok = not biased or location[id(node._parents[-1])][0] == _S
            if (
                bias_ok
                and all(location[id(w)][0] == _S for w in weights)
                and all(location[id(x)][0] != _S for x in xs)
            ):
                key = (*key, "matmul", tuple(id(x) for x in xs))
        groups.setdefault(key, []).append(node)

    # Lay out the weights of each matrix product row by row, so that the step reads W as a
    # view of the scalar table; every other parameter keeps its graph order after them.
    is_parameter = {id(p) for p in parameters}
    placed: dict[int, Value] = {}
    for key in sorted(groups, key=lambda k: k[0]):
        if len(key) > 4:
            for node in groups[key]:
                for w in node._parents[: len(node._parents) // 2]:
                    if id(w) in is_parameter and id(w) not in placed:
                        placed[id(w)] = w
    if placed:
        parameters = list(placed.values()) + [p for p in parameters if id(p) not in placed]
        for i, p in enumerate(parameters):
            location[id(p)] = (_S, i)

    steps: list[_Step] = []
    n_rows = 0
    n_scalars = n_params + n_consts
    for key in sorted(groups, key=lambda k: k[0]):
        nodes = groups[key]
        op = OPS[key[2]]
        row = key[1]
        start = n_rows if row else n_scalars
        for i, node in enumerate(nodes):
            location[id(node)] = (_R if row else _S, start + i)
        out_slice = slice(start, start + len(nodes))
        if row:
            n_rows += len(nodes)
        else:
            n_scalars += len(nodes)
        arity = key[3]
        refs = [[location[id(p)] for p in node._parents] for node in nodes]
        needs = [[needs_grad[id(p)] for p in node._parents] for node in nodes]
        if len(key) > 4:  # matmul
            half = arity // 2
            weight_index = np.array([[r[1] for r in rs[:half]] for rs in refs], dtype=np.intp)
            xs = _Arg(refs[0][half : 2 * half], needs[0][half : 2 * half])
            bias_index = None
            if op.name in _BILINEAR_BIAS:
                bias_index = np.array([rs[-1][1] for rs in refs], dtype=np.intp)
            steps.append(_MatmulStep(op, weight_index, xs, out_slice, bias_index))
            continue
        sources = {r[0] for rs in refs for r in rs}
        if op.name in _ADDITIVE and len(sources) == 1:
            steps.append(_AdditiveStep(op, refs, needs, out_slice, not row, _ADDITIVE[op.name]))
            continue
        args = [_Arg([rs[j] for rs in refs], [ns[j] for ns in needs]) for j in range(arity)]
        steps.append(_Step(op, args, out_slice, not row))

    return Compiled(
        n_inputs=len(inputs),
        parameters=parameters,
        constants=constant_values,
        n_scalars=n_scalars,
        n_rows=n_rows,
        steps=steps,
        outputs=[location[id(out)] for out in outs],
        output_needs_grad=needs_grad[id(outs[0])],
        n_nodes=len(order),
        single=single,
    )
