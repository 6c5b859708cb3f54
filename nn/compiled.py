"""``fit(compiled=True)``: the training step run by ``autograd.compile``, which traces one
sample's loss once and then runs the same op-table rules on NumPy over the whole batch.

The traced function is ``[loss(model(x), t), *model(x)]`` for a row holding the features x and
the label's target columns t: the loss is the registry's own function (:mod:`nn.losses`), so
eager and compiled training compute the same thing, and the model's outputs come out of the
same program for the accuracy. The parameters live in one flat NumPy array in the optimizer's
order; each step is one ``value_and_grad`` and one vector ``Optimizer.update`` on it. The
Values are written back (``sync``) whenever someone may read them: before callbacks, at
checkpoints and when ``fit`` returns.
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


def _as_list(out: Value | list[Value]) -> list[Value]:
    return out if isinstance(out, list) else [out]


class CompiledStep:
    """One training step over a batch, batched by ``autograd.compile``; see the module
    docstring. ``source(X, y)`` is the table to draw batches from (features, then targets),
    the ``X`` and ``y`` it was made with."""

    def __init__(
        self,
        model: Module,
        loss: NamedLoss,
        optimizer: Optimizer,
        X: np.ndarray,
        y: np.ndarray,
        accuracy: Callable[[Any, Any], bool] | None = None,
    ) -> None:
        n_features = X.shape[1]
        with no_grad():
            self.n_outputs = len(_as_list(model([0.0] * n_features)))
        if loss.name == "cross_entropy" and self.n_outputs < 2:
            loss.of_sample(Value(0.0), 0)  # the eager step's error
        self.loss, self.optimizer, self.accuracy = loss, optimizer, accuracy
        first = self.source(X[:1], y[:1])[0]  # one row to trace with, not a copy of the data

        def sample(row: list[Value]) -> list[Value]:
            outputs = _as_list(model(row[:n_features]))
            return [loss.of_columns(outputs, row[n_features:]), *outputs]

        # Traced at the first sample: the numbers only meet the rows' domain checks there.
        self.program = autograd.compile(
            sample, len(first), example=first, parameters=optimizer.params
        )
        self.parameters = self.program.parameter_values()
        self.grads = np.zeros_like(self.parameters)
        n = len(optimizer.params)
        # The optimizer's own rule on the flat arrays; a rule written on Values goes through them.
        self._vector = type(optimizer).step is Optimizer.step
        self._trained, self._trained_grads = self.parameters[:n], self.grads[:n]
        self._stale = False

    def source(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Features and target columns side by side, built once for the whole data set."""
        return np.concatenate([X, self.loss.columns(y, self.n_outputs)], axis=1)

    def __call__(self, rows: np.ndarray, y: np.ndarray) -> tuple[float, int | None]:
        cost, outputs = self.program.value_and_grad(
            rows,
            self.parameters,
            self.grads,
            inputs_checked=True,  # fit checked X and y
        )
        self._stale = True  # the arrays are ahead of the Values
        if self._vector:
            self.optimizer.update(self._trained, self._trained_grads)
        else:  # a rule written on Values: through them
            self.sync()
            self.optimizer.step()
            self.reload()  # now the arrays and the Values agree
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

    def sync(self) -> None:
        """Write the flat arrays back into the parameters' ``.data`` and ``.grad``."""
        if not self._stale:
            return
        numbers, grads = self.parameters.tolist(), self.grads.tolist()
        for p, number, g in zip(self.program.parameters, numbers, grads, strict=True):
            p.data = number
            p.grad = g
        self._stale = False

    def reload(self) -> None:
        """Read the parameters' ``.data`` back (a callback may have changed them)."""
        self.parameters[:] = [p.data for p in self.program.parameters]
