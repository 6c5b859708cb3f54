"""Steps: one per group of nodes of one depth and one op, run on stacked NumPy arrays, and how
a group gathers its inputs and scatters gradients back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.backends import numpy_math
from ..core.ops import Op

NUMPY_MATH = numpy_math()
FLOAT64 = np.dtype(np.float64)

# Where a node's value lives while the program runs (its source, then an index):
#   X: column of the input batch (kept as X.T, shape (n_inputs, batch));
#   R: row of the table of computed nodes that depend on the inputs, shape (n_rows, batch);
#   P: entry of the flat parameter array;
#   S: entry of the scalar table: constants, then computed nodes that do not depend on the
#      inputs (one number for the whole batch).
SRC_X, SRC_R, SRC_P, SRC_S = 0, 1, 2, 3


class Env:
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


def all_distinct(index: np.ndarray) -> bool:
    return len(np.unique(index)) == len(index)


def all_finite(array: np.ndarray) -> bool:
    """Every number of ``array`` finite. One sum first: an infinity or a NaN makes the sum
    one too, so a finite sum settles it in a single pass without a temporary; only a sum
    that overflows (or a bad number) needs the full test."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.add.reduce(array, axis=None)):
            return True
    return bool(np.isfinite(array).all())


TABLES = {SRC_X: "XT", SRC_R: "R", SRC_P: "P", SRC_S: "S"}
GRADS = {SRC_R: "gR", SRC_P: "gP", SRC_S: "gS"}


class Arg:
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
        for source in (SRC_X, SRC_R, SRC_P, SRC_S):
            where = np.flatnonzero(sources == source)
            if len(where):
                self.parts.append((source, where, index[where]))
        self.needs_grad = any(needs_grad)
        self.gather = self._make_gather()
        grad_mask = np.array(needs_grad, dtype=bool)
        self.scatter = self._make_scatter(grad_mask) if self.needs_grad else None

    def _make_gather(self) -> Callable[[Env], np.ndarray]:
        if len(self.parts) == 1:
            source, _, index = self.parts[0]
            where: slice | np.ndarray = _as_slice(index) or index
            name = TABLES[source]
            if source in (SRC_P, SRC_S):
                return lambda env: getattr(env, name)[where, None]
            return lambda env: getattr(env, name)[where]
        parts, n = self.parts, self.n

        def gather_mixed(env: Env) -> np.ndarray:
            out = np.empty((n, env.batch), dtype=env.R.dtype)
            for source, positions, index in parts:
                table = getattr(env, TABLES[source])
                out[positions] = table[index, None] if source in (SRC_P, SRC_S) else table[index]
            return out

        return gather_mixed

    def _make_scatter(self, grad_mask: np.ndarray) -> Callable[[Env, np.ndarray], None]:
        steps = []
        for source, positions, index in self.parts:
            keep = grad_mask[positions]
            if source == SRC_X or not keep.any():
                continue  # inputs and constants need no gradient
            positions, index = positions[keep], index[keep]
            where = _as_slice(index) if all_distinct(index) else None
            steps.append(
                (
                    GRADS[source],
                    positions,
                    where or index,
                    all_distinct(index),
                    len(positions) == self.n,
                )
            )

        def scatter(env: Env, c: np.ndarray) -> None:
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


def not_on_numpy(op: Op, rule: str, error: Exception) -> TypeError:
    """The error for a row whose rule fails on NumPy arrays, naming the op."""
    return TypeError(
        f"compiled {op.name}: its {rule} rule failed on NumPy arrays ({type(error).__name__}: "
        f"{error}); write it with the m. functions (m.exp, m.log, m.step, m.relu, ...) and "
        "arithmetic, not math.* or a Python if, or train with compiled=False"
    )


class Step:
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
        self.arg = Arg(flat_refs, flat_needs)
        k = len(refs)
        self.position_needs = [any(flat_needs[j * k : (j + 1) * k]) for j in range(self.arity)]
        self.needs_grad = self.arg.needs_grad

    def _inputs(self, env: Env) -> np.ndarray:
        stacked = self.arg.gather(env)
        return stacked.reshape(self.arity, -1, stacked.shape[1])

    def forward(self, env: Env, saved: list) -> None:
        xs = self._inputs(env)
        out = self.compute(xs)
        if self.scalar:
            env.S[self.out_slice] = out[:, 0]
        else:
            env.R[self.out_slice] = out
        saved.append((out, xs))

    def compute(self, xs: np.ndarray) -> np.ndarray:
        try:
            return self.op.forward(NUMPY_MATH, *xs)
        except Exception as error:  # a rule written for floats only (math.exp, a Python if)
            raise not_on_numpy(self.op, "forward", error) from error

    def local(self, out: np.ndarray, xs: np.ndarray) -> Sequence[Any]:
        try:
            return self.op.derivatives(NUMPY_MATH, out, *xs)
        except Exception as error:
            raise not_on_numpy(self.op, "derivatives", error) from error

    def backward(self, env: Env, saved: tuple) -> None:
        out, xs = saved
        g = env.gS[self.out_slice, None] if self.scalar else env.gR[self.out_slice]
        local = self.local(out, xs)
        if self.arity == 1 and type(local[0]) is not float:  # relu, tanh, ...: one product
            self.arg.scatter(env, g * local[0])
            return
        width = max(g.shape[1], xs.shape[2])
        c = np.zeros((self.arity, g.shape[0], width), dtype=g.dtype)
        for j, d in enumerate(local):
            if self.position_needs[j] and not (type(d) is float and d == 0.0):
                c[j] = g if type(d) is float and d == 1.0 else g * d
        self.arg.scatter(env, c.reshape(-1, width))


class AdditiveStep(Step):
    """A row declared ``additive`` (``sum``): f = Σ x_i, every local derivative 1."""

    __slots__ = ()

    def compute(self, xs: np.ndarray) -> np.ndarray:
        return xs.sum(axis=0)

    def backward(self, env: Env, saved: tuple) -> None:
        g = env.gS[self.out_slice, None] if self.scalar else env.gR[self.out_slice]
        c = np.broadcast_to(g, (self.arity, *g.shape)).reshape(-1, g.shape[1])
        self.arg.scatter(env, c)


class BilinearStep(Step):
    """A row declared ``bilinear`` (``dot``, ``affine`` with a bias) whose weights are not a
    layer's parameters: f = Σ w_i x_i (+ b) on the stacked inputs, taken apart by the row's
    declaration, as one product and one sum over the stack; backward, the declaration's
    derivatives (df/dw_i = x_i, df/dx_i = w_i, df/db = 1) as one product per half.
    """

    __slots__ = ()

    def compute(self, xs: np.ndarray) -> np.ndarray:
        weights, inputs, bias = self.op.bilinear.split(xs)
        out = (weights * inputs).sum(axis=0)
        return out if bias is None else out + bias

    def backward(self, env: Env, saved: tuple) -> None:
        _, xs = saved
        g = env.gS[self.out_slice, None] if self.scalar else env.gR[self.out_slice]
        width = max(g.shape[1], xs.shape[2])
        c = np.zeros((self.arity, g.shape[0], width), dtype=g.dtype)
        c_weights, c_inputs, c_bias = self.op.bilinear.split(c)  # views, laid out as xs
        weights, inputs, _ = self.op.bilinear.split(xs)
        n = len(weights)
        if any(self.position_needs[:n]):
            np.multiply(inputs, g, out=c_weights)  # df/dw_i = x_i
        if any(self.position_needs[n : n + n]):
            np.multiply(weights, g, out=c_inputs)  # df/dx_i = w_i
        if c_bias is not None:
            c_bias[...] = g  # df/db = 1
        self.arg.scatter(env, c.reshape(-1, width))


class StackedStep(Step):
    """Nodes of a row with a :class:`~autograd.core.ops.Stacked` declaration (``logsumexp``):
    its forward and derivatives run once on the stacked inputs (arity, k, batch), a few NumPy
    calls for the whole step instead of several per input."""

    __slots__ = ()

    def compute(self, xs: np.ndarray) -> np.ndarray:
        return self.op.stacked.forward(np, xs)

    def backward(self, env: Env, saved: tuple) -> None:
        out, xs = saved
        g = env.gS[self.out_slice, None] if self.scalar else env.gR[self.out_slice]
        c = self.op.stacked.derivatives(np, out, xs) * g
        self.arg.scatter(env, c.reshape(-1, c.shape[2]))


class MatmulStep(Step):
    """Nodes of a ``bilinear`` row with parameter weights over the same inputs: W @ X (+ b).

    From the row's declaration: f = Σ w_i x_i, d f/d w_i = x_i, d f/d x_i = w_i, so over a
    batch out = W X, dL/dW = G X^T (summed over the batch) and dL/dX = W^T G; with ``bias``,
    + b and dL/db = G summed over the batch.
    """

    __slots__ = ("bias", "inputs", "weights")

    def __init__(
        self, op: Op, weight_index: np.ndarray, inputs: Arg, out_slice: slice,
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
        self.weights = ParameterBlock(weight_index, sole_weights)
        self.bias = None if bias_index is None else ParameterBlock(bias_index[:, None])

    def forward(self, env: Env, saved: list) -> None:
        weights = self.weights.read(env.P)
        xs = self.inputs.gather(env)
        if xs.strides[0] < xs.strides[1]:
            # Columns of the input batch (X.T, a view): each sample's numbers lie together, and
            # BLAS runs (X W^T)^T, the same product, up to 2x faster than W X on that layout.
            out = (xs.T @ weights.T).T
        else:
            out = weights @ xs
        if self.bias is not None:
            out += self.bias.read(env.P)
        env.R[self.out_slice] = out
        saved.append((out, xs, weights))

    def writes_weight_grads(self) -> bool:
        """Does backward write its weights' gradient entries whole (not add to them)?"""
        return self.weights.writes_product()

    def backward(self, env: Env, saved: tuple) -> None:
        _, xs, weights = saved
        g = env.gR[self.out_slice]
        self.weights.add_product(env.gP, g, xs.T)
        if self.bias is not None:
            self.bias.add(env.gP, g.sum(axis=1, keepdims=True))
        if self.inputs.scatter is not None:
            self.inputs.scatter(env, weights.T @ g)


class ParameterBlock:
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
        self.unique = regular or all_distinct(index.ravel())  # evenly spaced rows never overlap

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

    def writes_product(self) -> bool:
        """Does :meth:`add_product` write the block whole (the block alone feeds these
        entries) rather than add to it?"""
        return self.sole and self.layout is not None

    def add_product(self, table: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        """Add a @ b to the block (the gradient array's other entries start at 0); written in
        place when the block alone feeds these entries (:meth:`writes_product`), without a
        temporary as large as the layer."""
        if self.writes_product():
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
