"""``fit(compiled=True)``: the training step run by ``autograd.compile``, which traces one
sample's loss once and then runs the same op-table rules on NumPy over the whole batch.

The traced function is ``[loss(model(x), t), *model(x)]`` for a row holding the features x and
the label's target columns t: the loss is the registry's own function (:mod:`nn.losses`), so
eager and compiled training compute the same thing, and the model's outputs come out of the
same program for the accuracy. The parameters live in one flat NumPy array in the optimizer's
order; each step is one ``value_and_grad`` and one vector ``Optimizer.update`` on it. This is
the :class:`nn.step.Step` of compiled training: the array is the weights' one home while fit
runs, written into the Values (``to_values``) whenever someone may read them (callbacks, the
live view, checkpoints, the end of fit), and the same program draws the live view's decision
boundary (``predict``), so a fit compiles the model once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Value, no_grad

from .losses import NamedLoss
from .module import Module
from .optim import Optimizer
from .step import predict


def _as_list(out: Value | list[Value]) -> list[Value]:
    return out if isinstance(out, list) else [out]


class CompiledStep:
    """One training step over a batch, batched by ``autograd.compile`` (a :class:`nn.step.Step`;
    see the module docstring). ``table(X, y)`` is the table to draw batches from (features,
    then target columns)."""

    def __init__(
        self,
        model: Module,
        loss: NamedLoss,
        optimizer: Optimizer,
        X: np.ndarray,
        y: np.ndarray,
        accuracy: Callable[[Any, Any], bool] | None = None,
        *,
        dtype: str = "float64",
    ) -> None:
        n_features = X.shape[1]
        with no_grad():
            self.n_outputs = len(_as_list(model([0.0] * n_features)))
        if loss.labels.classes and self.n_outputs < 2:
            loss.of_sample(Value(0.0), 0)  # the eager step's error
        self.loss, self.optimizer, self.accuracy = loss, optimizer, accuracy
        self.model, self.n_features = model, n_features
        self.dtype = np.dtype(dtype)
        first = self.table(X[:1], y[:1])[0]  # one row to trace with, not a copy of the data

        def sample(row: list[Value]) -> list[Value]:
            outputs = _as_list(model(row[:n_features]))
            return [loss.of_columns(outputs, row[n_features:]), *outputs]

        # Traced at the first sample: the numbers only meet the rows' domain checks there.
        options: dict[str, Any] = {} if dtype == "float64" else {"dtype": dtype}
        try:
            self.program = autograd.compile(
                sample, len(first), example=first, parameters=optimizer.params, **options
            )
        except TypeError as error:
            if options and "dtype" in str(error):
                raise ValueError(
                    f"fit: dtype={dtype!r} needs an autograd.compile that takes dtype=; "
                    "this one does not"
                ) from None
            raise
        self.parameters = self.program.parameter_values()
        self.grads = np.zeros_like(self.parameters)
        n = len(optimizer.params)
        # The optimizer's own rule on the flat arrays; a rule written on Values goes through them.
        self._vector = type(optimizer).step is Optimizer.step
        self._trained, self._trained_grads = self.parameters[:n], self.grads[:n]
        self._stale = False

    def table(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Features and target columns side by side, built once for the whole data set, in the
        program's dtype (so a float32 batch is drawn from it without a conversion per step)."""
        columns = [X, self.loss.columns(y, self.n_outputs)]
        return np.concatenate(columns, axis=1, dtype=self.dtype, casting="same_kind")

    def run(self, rows: np.ndarray, y: np.ndarray) -> tuple[float, int | None]:
        cost, outputs = self.program.value_and_grad(
            rows,
            self.parameters,
            self.grads,
            inputs_checked=True,  # fit checked X and y
        )
        self._stale = True  # the arrays are ahead of the Values
        if self._vector:  # all or nothing, as step(): a weight never becomes inf or NaN
            self.optimizer.checked_update(self._trained, self._trained_grads)
        else:  # a rule written on Values: through them
            self.to_values()
            self.optimizer.step()
            self.from_values()  # now the arrays and the Values agree
        return cost, self._correct(outputs[1:].T, y)

    def _correct(self, outputs: np.ndarray, y: np.ndarray) -> int | None:
        if self.accuracy is not None:  # a rule of the user's, on Values: one per output
            rows = [
                [Value(x) for x in row] if self.n_outputs > 1 else Value(row[0])
                for row in outputs.tolist()
            ]
            return sum(bool(self.accuracy(o, t)) for o, t in zip(rows, y, strict=True))
        if self.loss.correct is None:
            return None
        return int(np.count_nonzero(self.loss.correct(outputs, np.asarray(y))))

    def to_values(self) -> None:
        """Write the flat arrays back into the parameters' ``.data`` and ``.grad``."""
        if not self._stale:
            return
        numbers, grads = self.parameters.tolist(), self.grads.tolist()
        for p, number, g in zip(self.program.parameters, numbers, grads, strict=True):
            p.data = number
            p.grad = g
        self._stale = False

    def from_values(self) -> None:
        """Read the parameters' ``.data`` back (a callback may have changed them)."""
        self.parameters[:] = [p.data for p in self.program.parameters]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The model's outputs on the rows of ``X`` (samples, outputs), from the training
        program itself (its loss fed zero targets, and ignored). Where that loss cannot be
        computed (a probability of exactly 0 or 1 under "bce"), the rows go through the
        Values instead."""
        self.to_values()
        X = np.asarray(X, dtype=np.float64)
        targets = np.zeros((len(X), self.program.n_inputs - self.n_features))
        try:
            return self.program(np.concatenate([X, targets], axis=1))[:, 1:]
        except (ValueError, OverflowError, ZeroDivisionError):
            return predict(self.model, X).reshape(len(X), -1)
