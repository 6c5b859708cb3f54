"""``fit(compiled=True)``: the training step run by ``autograd.compile``, which traces the
per-sample loss once and then runs the same op-table rules on NumPy over the whole batch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd
from autograd import Value, no_grad

from .module import Module
from .optim import Optimizer
from .train import Output, _logits

# Per-sample losses written with ops only (no branch on .data) so autograd.compile can trace
# them: the targets become extra input columns (one-hot for cross_entropy). Each equals its
# eager counterpart in nn.train.LOSSES; cross_entropy skips the max-shift, which is a branch.
TRACEABLE_LOSSES: dict[str, Callable[[list[Value], list[Value]], Value]] = {
    "bce_logits": lambda out, t: out[0].softplus() - t[0] * out[0],
    "bce": lambda out, t: -(t[0] * out[0].log() + (1.0 - t[0]) * (1.0 - out[0]).log()),
    "hinge": lambda out, t: (1.0 - t[0] * out[0]).relu(),
    "mse": lambda out, t: (
        autograd.sum([(o - ti) ** 2 for o, ti in zip(out, t, strict=True)]) / len(out)
    ),
    "cross_entropy": lambda out, t: (
        autograd.sum([z.exp() for z in out]).log() - autograd.dot(t, out)
    ),
}


def _as_list(out: Output) -> list[Value]:
    return out if isinstance(out, list) else [out]


class CompiledStep:
    """The same step as :func:`train_step`, run by ``autograd.compile`` over the whole batch at
    once: one traced program for the per-sample loss, one for the model's outputs (accuracy)."""

    def __init__(self, model: Module, loss: str, optimizer: Optimizer, n_features: int) -> None:
        from autograd import compile as trace

        with no_grad():
            self.n_outputs = len(_as_list(model([0.0] * n_features)))
        if loss == "cross_entropy" and self.n_outputs < 2:
            _logits(Value(0.0))  # the same error as the eager step
        per_sample = TRACEABLE_LOSSES[loss]
        self.loss, self.model, self.optimizer = loss, model, optimizer
        self.width = self.n_outputs if loss in ("cross_entropy", "mse") else 1

        def loss_of_row(row: list[Value]) -> Value:
            return per_sample(_as_list(model(row[:n_features])), row[n_features:])

        self.program = trace(loss_of_row, n_features + self.width)
        self.outputs = trace(lambda row: _as_list(model(row)), n_features)

    def _targets(self, y: np.ndarray) -> np.ndarray:
        if self.loss == "cross_entropy":
            return np.eye(self.n_outputs)[np.asarray(y, dtype=int)]
        targets = np.asarray(y, dtype=float).reshape(len(y), -1)
        if targets.shape[1] != self.width:
            raise ValueError(f"loss 'mse': {self.width} output(s) but {targets.shape[1]} targets")
        return targets

    def __call__(self, X: np.ndarray, y: np.ndarray) -> tuple[float, list[Output]]:
        columns = np.asarray(self.outputs(X)).reshape(len(X), self.n_outputs)
        outputs: list[Output] = [
            [Value(x) for x in row] if self.n_outputs > 1 else Value(row[0])
            for row in columns.tolist()
        ]
        self.optimizer.zero_grad()
        cost = self.program.backward(np.column_stack([X, self._targets(y)]), reduction="mean")
        self.optimizer.step()
        return cost, outputs
