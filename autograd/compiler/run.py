"""The compiled program: run the steps forward and backward over a batch, and word its errors."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core.backends import FLOAT_MATH
from ..core.value import Value
from .steps import FLOAT64, SRC_P, SRC_R, SRC_X, TABLES, Env, MatmulStep, Step, all_finite

# Errors of a run: found after the fact, so a run without one pays two checks.


def first_not_finite(steps: list[Step], saved: list) -> tuple[Step, int, int] | None:
    for step, step_saved in zip(steps, saved, strict=False):
        out = step_saved[0]
        bad = ~np.isfinite(out)
        if bad.any():
            node, row = (int(v) for v in np.argwhere(bad)[0])
            return step, node, row
    return None


def operands(step: Step, saved: tuple, node: int, row: int) -> tuple[float, ...]:
    xs = saved[1]
    if isinstance(step, MatmulStep):
        return ()
    return tuple(float(x[node, min(row, x.shape[1] - 1)]) for x in xs)


def where_in_batch(step: Step, row: int) -> str:
    return "every row (the node does not depend on the inputs)" if step.scalar else f"row {row}"


def forward_error(steps: list[Step], saved: list) -> Exception:
    found = first_not_finite(steps, saved)
    if found is None:
        return ValueError("compiled: an output is not finite")
    step, node, row = found
    inputs = operands(step, saved[steps.index(step)], node, row)
    where = where_in_batch(step, row)
    if step.op.check is not None and inputs:
        try:
            step.op.check(*inputs)  # the eager check words the error, when it applies
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            return type(error)(f"compiled {step.op.name}, batch {where}: {error}")
    return OverflowError(
        f"compiled {step.op.name}, batch {where}: the result is not a finite number "
        f"for inputs {inputs}"
    )


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
        steps: list[Step],
        outputs: list[tuple[int, int]],
        output_needs_grad: bool,
        n_nodes: int,
        single: bool,
        dtype: np.dtype = FLOAT64,
    ) -> None:
        self.dtype = dtype
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
        rows = [index for source, index in outputs if source == SRC_R]
        self._output_rows = np.array(rows, dtype=np.intp) if len(rows) == len(outputs) else None
        # The gradient entries a backward pass writes whole (a layer's weights that feed only
        # its product: MatmulStep writes their gradient with out=); the rest start at 0.
        written = np.zeros(len(parameters), dtype=bool)
        for step in steps:
            if isinstance(step, MatmulStep) and step.writes_weight_grads():
                written[step.weights.index.ravel()] = True
        self._zeroed = np.flatnonzero(~written)

    def __repr__(self) -> str:
        return (
            f"Compiled(n_inputs={self.n_inputs}, nodes={self.n_nodes}, "
            f"parameters={len(self.parameters)}, steps={len(self.steps)})"
        )

    def parameter_values(self) -> np.ndarray:
        """The parameters' current ``.data`` as a new flat array (the order of ``parameters``)."""
        # A list comprehension reads many Values faster than fromiter(map(attrgetter)).
        return np.array([p.data for p in self.parameters], dtype=self.dtype)

    def _check_batch(self, X: Any) -> np.ndarray:  # noqa: N803  (X: a batch, as in the API)
        kind = np.asarray(X).dtype.kind
        if kind not in "iuf":  # as Value: an int or a float, not a bool, complex or str
            raise TypeError(
                "compiled: X must hold real numbers (ints or floats), got an array of "
                f"{np.asarray(X).dtype}; a complex part or a string is not a number eager "
                "Values take"
            )
        X = np.asarray(X, dtype=self.dtype)  # noqa: N806
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
            or parameters.dtype != self.dtype
            or parameters.shape != (len(self.parameters),)
        ):
            raise ValueError(
                f"compiled: parameters must be a {self.dtype} array of shape "
                f"({len(self.parameters)},), got {getattr(parameters, 'shape', parameters)!r}"
            )
        return parameters

    def _run(self, X: np.ndarray, P: np.ndarray) -> tuple[Env, list, np.ndarray]:  # noqa: N803
        env = Env()
        env.batch = X.shape[0]
        env.XT = X.T
        env.R = np.empty((self._n_rows, env.batch), dtype=self.dtype)
        env.P = P
        env.S = np.empty(self._n_scalars, dtype=self.dtype)
        env.S[: len(self._constants)] = self._constants
        saved: list = []
        with np.errstate(all="ignore"):
            for step in self.steps:
                step.forward(env, saved)
        outputs = self._columns(env)
        # Every computed node too, not only the outputs (a parameter may be one): eager refuses
        # a node that is not finite even when a later op would hide it (1 / (1 + exp(800)) is
        # 0 on NumPy).
        if not (all_finite(outputs) and all_finite(env.R) and all_finite(env.S)):
            self._check_finite(X)
            raise forward_error(self.steps, saved)
        return env, saved, outputs

    def _columns(self, env: Env) -> np.ndarray:
        """Every output, shape (n_outputs, batch)."""
        if self._output_rows is not None:
            return env.R[self._output_rows]
        columns = np.empty((self.n_outputs, env.batch), dtype=self.dtype)
        for i, (source, index) in enumerate(self._outputs):
            columns[i] = getattr(env, TABLES[source])[index]
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
        with np.errstate(over="ignore"):
            total = float(outputs[0].sum())
        if not math.isfinite(total):  # eager's sum of the rows raises here
            raise OverflowError(
                f"compiled: the sum of the outputs over the batch is not a finite float "
                f"({total}); no gradient was changed"
            )
        reduced = total * seed
        if grads is None:
            grads = np.zeros(len(self.parameters), dtype=self.dtype)
        else:
            grads[self._zeroed] = 0.0  # the backward pass below writes the others whole
        env.gP = grads
        env.gS = np.zeros(self._n_scalars, dtype=self.dtype)
        source, index = self._outputs[0]
        if source in (SRC_X, SRC_P) or not self._output_needs_grad:
            grads.fill(0.0)  # no backward pass
            if source == SRC_P:
                grads[index] += seed * batch
            return reduced, outputs
        if source == SRC_R:
            env.gR = np.zeros((self._n_rows, batch), dtype=self.dtype)
            env.gR[index] = seed
        else:
            env.gR = np.zeros((self._n_rows, 1), dtype=self.dtype)
            env.gS[index] = seed * batch
        with np.errstate(all="ignore"):
            for step, step_saved in zip(reversed(self.steps), reversed(saved), strict=True):
                if step.needs_grad:
                    step.backward(env, step_saved)
        if not all_finite(grads):
            grads.fill(0.0)
            raise self._bad_derivative(saved, grads)
        return reduced, outputs

    def _bad_derivative(self, saved: list, grads: np.ndarray) -> Exception:
        """The error eager would raise: the first step whose local derivative is not finite,
        worded by the row's own rule on floats, else the gradient's overflow."""
        for step, step_saved in zip(self.steps, saved, strict=True):
            if isinstance(step, MatmulStep):
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
                    inputs = operands(step, step_saved, node, row)
                    where = where_in_batch(step, row)
                    kind: type[Exception] = OverflowError
                    reason = ""
                    try:  # eager's own computation of this derivative, to raise what it raises
                        number = float(out[node, min(row, out.shape[1] - 1)])
                        step.op.derivatives(FLOAT_MATH, number, *inputs)
                    except (ZeroDivisionError, ValueError, OverflowError) as error:
                        kind, reason = type(error), f" ({error})"
                    return kind(
                        f"compiled backward: the derivative of {step.op.name} at batch {where}, "
                        f"inputs {inputs}, is not a finite number{reason}; no gradient was changed"
                    )
        return OverflowError(
            "compiled backward: the gradient passed back to the parameters is not a finite "
            "number (it overflowed); no gradient was changed"
        )

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
        grads = np.zeros(len(self.parameters), dtype=self.dtype)
        reduced, _ = self.value_and_grad(X, None, grads, reduction)
        with np.errstate(over="ignore"):
            totals = np.array([p.grad for p in self.parameters], dtype=np.float64) + grads
        if not np.isfinite(totals).all():  # as eager: accumulating must not give inf
            raise OverflowError(
                "compiled backward: adding the gradient to a parameter's .grad gives a number "
                "that is not finite; no gradient was changed"
            )
        for parameter, g in zip(self.parameters, totals.tolist(), strict=True):
            parameter.grad = g
        return reduced
