"""Training: ``fit`` runs gradient descent over batches, ``evaluate`` measures loss and accuracy.

One training step (``train_step``) is: forward every sample of the batch, average the losses
into one Value C, ``C.backward()``, ``optimizer.step()``. Weights change only in the last line,
so stopping between steps always leaves the weights of a completed step.
"""

from __future__ import annotations

import json
import math
import signal
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import autograd
from autograd import Value, no_grad

from . import losses
from .data import batches
from .io import model_from_dict, model_to_dict, read_json, write_atomic
from .module import Module
from .optim import Adam, Optimizer

Output = Value | list[Value]


def _argmax(out: Output) -> int:
    values = [v.data for v in out] if isinstance(out, list) else [out.data]
    return max(range(len(values)), key=values.__getitem__)


def _scalar(out: Output, who: str) -> Value:
    if isinstance(out, list):
        raise ValueError(f"loss {who!r} needs a model with one output, got {len(out)} outputs")
    return out


def _logits(out: Output) -> list[Value]:
    if not isinstance(out, list):
        raise ValueError(
            "loss 'cross_entropy' needs a model with one output per class (2 or more); "
            "for one output use 'bce_logits' or 'hinge'"
        )
    return out


# name: (loss of one sample's output and target, whether the output is classified correctly)
LOSSES: dict[str, tuple[Callable[[Output, Any], Value], Callable[[Output, Any], bool] | None]] = {
    "cross_entropy": (
        lambda out, y: losses.cross_entropy(_logits(out), int(y)),
        lambda out, y: _argmax(out) == int(y),
    ),
    "bce": (
        lambda out, y: losses.binary_cross_entropy(_scalar(out, "bce"), float(y)),
        lambda out, y: (out.data > 0.5) == (float(y) > 0.5),
    ),
    "bce_logits": (
        lambda out, y: losses.binary_cross_entropy_with_logits(
            _scalar(out, "bce_logits"), float(y)
        ),
        lambda out, y: (out.data > 0.0) == (float(y) > 0.5),
    ),
    "hinge": (
        lambda out, y: losses.hinge_loss(_scalar(out, "hinge"), float(y)),
        lambda out, y: (out.data > 0.0) == (float(y) > 0.0),
    ),
    "mse": (
        lambda out, y: losses.mse_loss(out, np.asarray(y, dtype=float).tolist()),
        None,
    ),
}


def _resolve_loss(
    loss: str | Callable[[Output, Any], Value],
    accuracy: Callable[[Output, Any], bool] | None,
) -> tuple[Callable[[Output, Any], Value], Callable[[Output, Any], bool] | None]:
    if callable(loss):
        return loss, accuracy
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)} or a function")
    loss_fn, default_accuracy = LOSSES[loss]
    return loss_fn, accuracy or default_accuracy


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


def train_step(
    model: Module,
    loss_fn: Callable[[Output, Any], Value],
    optimizer: Optimizer,
    X: np.ndarray,
    y: np.ndarray,
) -> tuple[float, list[Output]]:
    """One step of gradient descent on a batch: C = mean of the per-sample losses; C.backward();
    optimizer.step(). Returns C and the outputs (as computed before the step)."""
    optimizer.zero_grad()
    outputs = [model(row) for row in X.tolist()]
    total = autograd.sum([loss_fn(out, target) for out, target in zip(outputs, y, strict=True)])
    cost = total / len(outputs)
    cost.backward()
    optimizer.step()
    return cost.data, outputs


def _shown(position: dict, history: History, end_of_epoch: bool, has_accuracy: Any) -> dict:
    """Loss and accuracy of the epoch so far, for the progress bar (steadier than one batch)."""
    if end_of_epoch:
        loss, accuracy = history.loss[-1], history.accuracy[-1]
    else:
        loss = position["loss_sum"] / position["seen"]
        accuracy = position["correct"] / position["seen"]
    shown = {"loss": f"{loss:.4f}"}
    if has_accuracy:
        shown["acc"] = f"{accuracy:.3f}"
    return shown


# Per-sample losses written with ops only (no branch on .data) so autograd.compile can trace
# them: the targets become extra input columns (one-hot for cross_entropy). Each equals its
# eager counterpart above; cross_entropy here skips the max-shift, which would be a branch.
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
    once: one traced program for the per-sample loss, one per model output (for accuracy)."""

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
        self.outputs = [
            trace(lambda row, j=j: _as_list(model(row))[j], n_features)
            for j in range(self.n_outputs)
        ]

    def _targets(self, y: np.ndarray) -> np.ndarray:
        if self.loss == "cross_entropy":
            return np.eye(self.n_outputs)[np.asarray(y, dtype=int)]
        targets = np.asarray(y, dtype=float).reshape(len(y), -1)
        if targets.shape[1] != self.width:
            raise ValueError(f"loss 'mse': {self.width} output(s) but {targets.shape[1]} targets")
        return targets

    def __call__(self, X: np.ndarray, y: np.ndarray) -> tuple[float, list[Output]]:
        columns = np.column_stack([program(X) for program in self.outputs])
        outputs: list[Output] = [
            [Value(x) for x in row] if self.n_outputs > 1 else Value(row[0])
            for row in columns.tolist()
        ]
        self.optimizer.zero_grad()
        cost = self.program.backward(np.column_stack([X, self._targets(y)]), reduction="mean")
        self.optimizer.step()
        return cost, outputs


def _make_step(
    compiled: bool, model: Module, loss: Any, loss_fn: Any, optimizer: Optimizer, X: np.ndarray
) -> Callable[[np.ndarray, np.ndarray], tuple[float, list[Output]]]:
    """The training step: eager (:func:`train_step`), or batched by ``autograd.compile``."""
    if compiled:
        try:
            from autograd import compile  # noqa: F401, A004
        except (ImportError, AttributeError):
            warnings.warn("fit: autograd.compile is not available; training eagerly", stacklevel=3)
        else:
            if isinstance(loss, str) and loss in TRACEABLE_LOSSES:
                return CompiledStep(model, loss, optimizer, X.shape[1])
            warnings.warn(
                f"fit: compiled=True works with the named losses ({', '.join(TRACEABLE_LOSSES)}),"
                " not a function; training eagerly",
                stacklevel=3,
            )
    return lambda X_batch, y_batch: train_step(model, loss_fn, optimizer, X_batch, y_batch)


class _StopOnInterrupt:
    """While active, Ctrl-C (SIGINT) sets a flag instead of raising, so the step in progress
    finishes and ``fit`` returns cleanly. Only the main thread can install signal handlers."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def __enter__(self) -> _StopOnInterrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.requested = True

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


CHECKPOINT_FORMAT = "seegrad.checkpoint"


def _save_checkpoint(
    path: Path, model: Module, optimizer: Optimizer, position: dict, history: History
) -> None:
    checkpoint = {
        "format": CHECKPOINT_FORMAT,
        "model": model_to_dict(model),
        "optimizer": {"class": type(optimizer).__name__, "state": optimizer.state_dict()},
        "position": position,
        "history": asdict(history),
    }
    write_atomic(path, json.dumps(checkpoint))


def _load_checkpoint(
    path: Path, model: Module, optimizer: Optimizer, settings: dict
) -> tuple[dict, History]:
    """Restore model, optimizer and progress from ``path``; checks all, then changes all."""
    data = read_json(path)
    if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path}: not a seegrad checkpoint")
    saved = model_from_dict(data.get("model"), source=f"{path} (model)")
    if type(saved) is not type(model) or saved.config() != model.config():  # type: ignore[attr-defined]
        raise ValueError(
            f"{path}: the checkpoint is of {saved!r}, but the model being trained is {model!r}"
        )
    position, history, opt = data.get("position"), data.get("history"), data.get("optimizer")
    if not isinstance(opt, dict) or opt.get("class") != type(optimizer).__name__:
        found = opt.get("class") if isinstance(opt, dict) else None
        raise ValueError(
            f"{path}: the checkpoint's optimizer is {found}, not {type(optimizer).__name__}"
        )
    if not isinstance(position, dict) or not isinstance(history, dict):
        raise ValueError(f"{path}: checkpoint lacks its position or history")
    for key, value in settings.items():
        if position.get(key) != value:
            raise ValueError(
                f"{path}: checkpoint was made with {key}={position.get(key)!r}, "
                f"not {key}={value!r}; resume with the same settings"
            )
    try:
        restored = History(**history)
    except TypeError:
        raise ValueError(f"{path}: checkpoint history is malformed") from None
    optimizer_backup = optimizer.state_dict()
    optimizer.load_state_dict(opt.get("state"))
    try:
        model.load_state_dict(saved.state_dict())
    except ValueError:
        optimizer.load_state_dict(optimizer_backup)
        raise
    return position, restored


def fit(
    model: Module,
    X: np.ndarray | Sequence[Sequence[float]],
    y: np.ndarray | Sequence[Any],
    loss: str | Callable[[Output, Any], Value] = "cross_entropy",
    optimizer: Optimizer | None = None,
    epochs: int = 10,
    batch_size: int = 32,
    *,
    callbacks: Sequence[Callable[[StepInfo], Any]] = (),
    checkpoint: str | Path | None = None,
    checkpoint_every: int = 1,
    resume: bool = False,
    accuracy: Callable[[Output, Any], bool] | None = None,
    seed: int | None = 0,
    shuffle: bool = True,
    progress: bool = True,
    compiled: bool = False,
) -> History:
    """Train ``model`` on ``(X, y)`` with mini-batch gradient descent; returns a :class:`History`.

    ``loss``: "cross_entropy" (y = class index), "bce" (y in {0, 1}, output a probability),
    "bce_logits" (y in {0, 1}, output a logit), "hinge" (y in {-1, +1}), "mse", or a function
    ``loss(output, target) -> Value``. ``optimizer`` defaults to ``Adam(lr=0.01)``.
    Each epoch visits every sample once, shuffled from ``(seed, epoch)``. ``callbacks`` are
    called with a :class:`StepInfo` after every step.

    Ctrl-C (or a callback raising KeyboardInterrupt) stops after the current step and returns
    the history so far (``history.interrupted`` is True); the model keeps the weights of the
    last completed step. With ``checkpoint=path`` the model, optimizer and progress are saved
    every ``checkpoint_every`` epochs, at the end and on interruption; ``resume=True`` continues
    from that file when it exists.

    ``compiled=True`` runs each step with ``autograd.compile`` (the same math on NumPy over the
    whole batch; much faster) for the named losses; where it is unavailable, or for a loss
    function, it trains eagerly with a warning.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(
            f"fit: X must be (samples, features) with one label each; got X "
            f"{X.shape} and y {y.shape}"
        )
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
    if (
        isinstance(checkpoint_every, bool)
        or not isinstance(checkpoint_every, int)
        or checkpoint_every < 1
    ):
        raise ValueError(f"fit: checkpoint_every must be an int >= 1, got {checkpoint_every!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"fit: batch_size must be an int >= 1, got {batch_size!r}")
    loss_fn, is_correct = _resolve_loss(loss, accuracy)
    optimizer = optimizer or Adam(model.parameters(), lr=0.01)
    n_batches = math.ceil(len(X) / batch_size)
    step = _make_step(compiled, model, loss, loss_fn, optimizer, X)

    history = History()
    # Where we are: the next batch to run, and the running sums of the epoch in progress.
    position = {"epoch": 0, "batch": 0, "loss_sum": 0.0, "correct": 0, "seen": 0}
    settings = {"batch_size": batch_size, "seed": seed, "samples": len(X)}
    path = Path(checkpoint) if checkpoint is not None else None
    if resume and path is None:
        raise ValueError("fit: resume=True needs checkpoint=path")
    if resume and path is not None and path.exists():
        position, history = _load_checkpoint(path, model, optimizer, settings)

    def save_checkpoint() -> None:
        if path is not None:
            _save_checkpoint(path, model, optimizer, {**position, **settings}, history)

    from tqdm.auto import tqdm

    bar = tqdm(
        total=epochs * n_batches,
        initial=min(position["epoch"] * n_batches + position["batch"], epochs * n_batches),
        disable=not progress,
        unit="step",
        dynamic_ncols=True,
    )
    interrupted = False
    with _StopOnInterrupt() as stop, bar:
        while position["epoch"] < epochs and not interrupted:
            epoch = position["epoch"]
            bar.set_description(f"epoch {epoch + 1}/{epochs}")
            order_seed = None if seed is None else [seed, epoch]
            for index, (X_batch, y_batch) in enumerate(
                batches(X, y, batch_size, shuffle=shuffle, seed=order_seed)
            ):
                if index < position["batch"]:
                    continue  # done before the checkpoint we resumed from
                try:
                    cost, outputs = step(X_batch, y_batch)
                except KeyboardInterrupt:
                    interrupted = True  # raised before optimizer.step: weights untouched
                    break
                position["batch"] = index + 1
                position["loss_sum"] += cost * len(X_batch)
                position["seen"] += len(X_batch)
                if is_correct is not None:
                    position["correct"] += sum(
                        bool(is_correct(o, t)) for o, t in zip(outputs, y_batch, strict=True)
                    )
                history.step_loss.append(cost)
                end_of_epoch = index + 1 == n_batches
                if end_of_epoch:
                    history.loss.append(position["loss_sum"] / position["seen"])
                    history.accuracy.append(
                        position["correct"] / position["seen"] if is_correct else math.nan
                    )
                    position.update(epoch=epoch + 1, batch=0, loss_sum=0.0, correct=0, seen=0)
                bar.update(1)
                bar.set_postfix(_shown(position, history, end_of_epoch, is_correct), refresh=False)
                info = StepInfo(epoch, index, cost, end_of_epoch, history, model, optimizer)
                try:
                    for callback in callbacks:
                        callback(info)
                except KeyboardInterrupt:
                    interrupted = True
                if stop.requested:
                    interrupted = True
                if interrupted:
                    break
            finished = position["epoch"]
            if not interrupted and finished < epochs and finished % checkpoint_every == 0:
                save_checkpoint()
    history.interrupted = interrupted
    save_checkpoint()
    if interrupted and progress:
        print(f"stopped after step {len(history.step_loss)}: the model keeps those weights")
    return history


def predict(model: Module, X: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    """The model's outputs for every row of X, without recording a graph: shape (samples,) for
    one output, else (samples, outputs)."""
    rows = np.asarray(X, dtype=float).tolist()
    with no_grad():
        outputs = [model(row) for row in rows]
    return np.array([[v.data for v in o] if isinstance(o, list) else o.data for o in outputs])


def evaluate(
    model: Module,
    X: np.ndarray | Sequence[Sequence[float]],
    y: np.ndarray | Sequence[Any],
    loss: str | Callable[[Output, Any], Value] = "cross_entropy",
    accuracy: Callable[[Output, Any], bool] | None = None,
) -> dict[str, float]:
    """Mean loss and accuracy (NaN without an accuracy rule) over ``(X, y)``; no weight changes
    and no graph recorded."""
    loss_fn, is_correct = _resolve_loss(loss, accuracy)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f"evaluate: X must be (samples, features) with one label each; got X "
            f"{X.shape} and y {y.shape}"
        )
    total, correct = 0.0, 0
    with no_grad():
        for row, target in zip(X.tolist(), y, strict=True):
            out = model(row)
            total += loss_fn(out, target).data
            if is_correct is not None:
                correct += bool(is_correct(out, target))
    return {
        "loss": total / len(X),
        "accuracy": correct / len(X) if is_correct is not None else math.nan,
    }
