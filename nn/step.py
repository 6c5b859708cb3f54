"""The training step ``fit`` runs, and the one home of the weights while it runs.

A :class:`Step` runs gradient descent on one batch and owns the weights between steps. The
eager step (:class:`EagerStep`) trains the parameter Values themselves; the compiled step
(:class:`nn.compiled.CompiledStep`) trains a flat NumPy array and writes it into the Values
only when asked. ``fit`` and its hooks never touch the weights but through these methods.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

import autograd
from autograd import Value, no_grad

from .module import Module
from .optim import Optimizer

Output = Value | list[Value]


@dataclass
class History:
    """What ``fit`` measured: per epoch the mean training loss and accuracy (NaN without an
    accuracy rule), and the loss of every step."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    interrupted: bool = False

    @property
    def epochs(self) -> int:
        return len(self.loss)


@dataclass
class StepInfo:
    """Passed to each callback after every completed step."""

    epoch: int
    batch: int
    loss: float
    end_of_epoch: bool
    history: History
    model: Module
    optimizer: Optimizer


@runtime_checkable
class Step(Protocol):
    """One training step over a batch, holding the weights from one step to the next.

    - ``table(X, y)``: the rows batches are drawn from (what ``run`` is given).
    - ``run(rows, labels)``: one gradient-descent step on a batch; returns the batch's mean
      loss C (before the step) and how many of its samples the outputs classified right (None
      without an accuracy rule).
    - ``to_values()``: write the step's weights into the parameter Values (``.data`` and the
      last ``.grad``), for anyone about to read them.
    - ``from_values()``: read the parameter Values back, after someone may have changed them.
    - ``predict(X)``: the model's outputs for the rows of ``X`` with the current weights,
      shape (samples, outputs).
    """

    def table(self, X: np.ndarray, y: np.ndarray) -> np.ndarray: ...

    def run(self, rows: np.ndarray, labels: np.ndarray) -> tuple[float, int | None]: ...

    def to_values(self) -> None: ...

    def from_values(self) -> None: ...

    def predict(self, X: np.ndarray) -> np.ndarray: ...


def train_step(
    model: Module,
    loss_fn: Callable[[Output, Any], Value],
    optimizer: Optimizer,
    X: np.ndarray,
    y: np.ndarray,
) -> tuple[float, list[Output]]:
    """One step of gradient descent on a batch: C = mean of the per-sample losses; C.backward();
    optimizer.step(). Returns C and the outputs (as computed before the step)."""
    with _collector_paused():
        optimizer.zero_grad()
        outputs = [model(row) for row in X.tolist()]
        losses = [loss_fn(out, target) for out, target in zip(outputs, y, strict=True)]
        cost = autograd.sum(losses) / len(outputs)
        cost.backward()
        optimizer.step()
    return cost.data, outputs


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a block, then back as the caller had it.

    A step's graph holds no reference cycles (reference counting frees it), but making its tens
    of thousands of Values triggers collections that scan the whole heap: pausing the collector
    takes them out of the step. The caller's setting is restored, never changed for good.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def predict(model: Module, X: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    """The model's outputs for every row of X, without recording a graph: shape (samples,) for
    one output, else (samples, outputs)."""
    rows = np.asarray(X, dtype=float).tolist()
    with no_grad():
        outputs = [model(row) for row in rows]
    return np.array([[v.data for v in o] if isinstance(o, list) else o.data for o in outputs])


class EagerStep:
    """:func:`train_step` on the Values, which are the weights: ``to_values`` and
    ``from_values`` have nothing to do."""

    def __init__(
        self,
        model: Module,
        loss_fn: Callable[[Output, Any], Value],
        is_correct: Callable[[Output, Any], bool] | None,
        optimizer: Optimizer,
    ) -> None:
        self.model, self.loss_fn, self.is_correct, self.optimizer = (
            model, loss_fn, is_correct, optimizer,
        )  # fmt: skip

    def table(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        return X

    def run(self, rows: np.ndarray, labels: np.ndarray) -> tuple[float, int | None]:
        cost, outputs = train_step(self.model, self.loss_fn, self.optimizer, rows, labels)
        if self.is_correct is None:
            return cost, None
        return cost, sum(bool(self.is_correct(o, t)) for o, t in zip(outputs, labels, strict=True))

    def to_values(self) -> None:
        """The Values are the weights."""

    def from_values(self) -> None:
        """The Values are the weights."""

    def predict(self, X: np.ndarray) -> np.ndarray:
        return predict(self.model, X).reshape(len(X), -1)
