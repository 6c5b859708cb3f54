"""Training: ``fit`` runs gradient descent over batches, ``evaluate`` measures loss and accuracy.

One training step (:func:`nn.step.train_step`) is: forward every sample of the batch, average
the losses into one Value C, ``C.backward()``, ``optimizer.step()``. Weights change only in the
last line, so stopping between steps always leaves the weights of a completed step.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import signal
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from autograd import Value, no_grad

from . import losses
from .checkpoint import HISTORY_LISTS, Position, check_writable, load_checkpoint
from .data import batches
from .hooks import Callbacks, Checkpoint, Hook, Live, ProgressBar
from .live import live_view
from .module import Module
from .optim import Adam, Optimizer
from .step import EagerStep, History, Step, StepInfo, predict, train_step

__all__ = ["History", "StepInfo", "evaluate", "fit", "predict", "train_step"]
POSITION_KEYS = tuple(f.name for f in fields(Position))

Output = Value | list[Value]


def _resolve_loss(
    loss: str | Callable[[Output, Any], Value],
    accuracy: Callable[[Output, Any], bool] | None,
) -> tuple[Callable[[Output, Any], Value], Callable[[Output, Any], bool] | None]:
    """The loss of one sample and its accuracy rule: a function of the user's, or the
    registry's entry (:data:`nn.losses.LOSSES`) for a name."""
    if callable(loss):
        return loss, accuracy
    named = losses.named_loss(loss)
    if accuracy is None and named.correct is not None:
        accuracy = _one_sample(named.correct)
    return named.of_sample, accuracy


def _one_sample(rule: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[..., bool]:
    """A registry accuracy rule (on arrays of outputs) for one sample's output Value(s)."""

    def correct(out: Output, target: Any) -> bool:
        numbers = [v.data for v in out] if isinstance(out, list) else [out.data]
        return bool(rule(np.array([numbers]), np.array([target]))[0])

    return correct


def _count(value: Any, name: str, minimum: int) -> int:
    """An int (NumPy integers too) of at least ``minimum``, else ``ValueError`` naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"fit: {name} must be an int >= {minimum}, got {value!r:.40}")
    return int(value)


def _output_count(model: Module, n_features: int) -> int:
    """How many outputs ``model`` gives (one forward on zeros, no graph recorded)."""
    with no_grad():
        out = model([0.0] * n_features)
    return len(out) if isinstance(out, list) else 1


def _shown_values(values: np.ndarray) -> str:
    shown = ", ".join(f"{v:g}" for v in values[:6])
    return shown + (", ..." if len(values) > 6 else "")


def check_labels(loss: str, y: np.ndarray, n_outputs: int, who: str = "fit") -> None:
    """The labels suit the named ``loss`` (and a model of ``n_outputs`` outputs), checked once
    before training, with a message that names what to use instead. Eager and compiled
    training both pass through here."""
    if y.dtype.kind not in "biuf":
        raise ValueError(f"{who}: labels must be numbers, got an array of {y.dtype}")
    y = y.astype(float)
    if not np.isfinite(y).all():
        rows = y.reshape(len(y), -1)
        index = int(np.flatnonzero(~np.isfinite(rows).all(axis=1))[0])
        shown = rows[index] if rows.shape[1] > 1 else rows[index, 0]
        raise ValueError(f"{who}: label {index} is {shown} (not finite)")
    named = losses.named_loss(loss)
    labels = named.labels  # the loss's own: which labels it accepts
    if labels.per_output:
        return
    if y.ndim != 1:
        raise ValueError(f"{who}: loss {loss!r} needs one label per sample, got y {y.shape}")
    found = np.unique(y)
    whole = bool(np.all(found == np.round(found)))
    if labels.classes:
        if n_outputs < 2:
            raise ValueError(f"{who}: {losses.ONE_OUTPUT_PER_CLASS}")
        if not whole:
            fractional = found[found != np.round(found)]
            raise ValueError(
                f"{who}: loss {loss!r} needs {labels.describe()}; "
                f"the labels include {_shown_values(fractional)}"
            )
    elif n_outputs != 1:
        raise ValueError(f"{who}: loss {loss!r} needs a model with one output, got {n_outputs}")
    elif whole and len(found) > 2:
        raise ValueError(
            f"{who}: the labels have {len(found)} classes ({_shown_values(found)}), but "
            f"loss {loss!r} is for two classes; use loss='cross_entropy' with a model of "
            f"{len(found)} outputs (labels 0 to {len(found) - 1})"
        )
    outside = labels.outside(found, n_outputs)
    if len(outside):
        model = f" on a model with {n_outputs} outputs" if labels.classes else ""
        raise ValueError(
            f"{who}: loss {loss!r}{model} needs labels {labels.describe(outputs=n_outputs)}; "
            f"the labels include {_shown_values(outside)}{labels.hint(found)}"
        )


def _check_inputs(X: np.ndarray, who: str) -> None:
    if not np.isfinite(X).all():
        row, column = (int(i) for i in np.argwhere(~np.isfinite(X))[0])
        raise ValueError(f"{who}: X[{row}, {column}] is {X[row, column]} (not finite)")


def _make_step(
    compiled: bool, model: Module, loss: Any, loss_fn: Any, is_correct: Any, optimizer: Optimizer,
    X: np.ndarray, y: np.ndarray, accuracy: Any, dtype: str = "float64",
) -> Step:  # fmt: skip
    """The training step: eager (:func:`train_step`), or batched by ``autograd.compile``."""
    if compiled:
        if isinstance(loss, str):
            from .compiled import CompiledStep

            named = losses.named_loss(loss)
            return CompiledStep(model, named, optimizer, X, y, accuracy, dtype=dtype)
        warnings.warn(
            f"fit: compiled=True works with the named losses ({', '.join(losses.LOSSES)}),"
            " not a function; training eagerly",
            stacklevel=3,
        )
    return EagerStep(model, loss_fn, is_correct, optimizer)


class _StopOnInterrupt:
    """While active, Ctrl-C (SIGINT) sets a flag instead of raising, so the step in progress
    finishes and ``fit`` returns cleanly. Only the main thread can install signal handlers."""

    def __init__(self) -> None:
        self.requested = False
        self._installed = False
        self._previous: Any = None

    def __enter__(self) -> _StopOnInterrupt:
        if threading.current_thread() is not threading.main_thread():
            return self
        previous = signal.getsignal(signal.SIGINT)
        if previous is signal.SIG_IGN:
            return self  # the process ignores Ctrl-C (nohup, `cmd &`): keep it that way
        self._previous = previous
        signal.signal(signal.SIGINT, self._handle)
        self._installed = True
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.requested = True

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            # None means a handler not set from Python: the default is the closest we can put
            signal.signal(signal.SIGINT, self._previous or signal.SIG_DFL)


def _data(X: Any, y: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    """X as a float (samples, features) array of finite numbers with one label each."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or len(X) != len(y) or len(X) == 0:
        if X.ndim == 2 and len(X) == len(y) == 0:
            raise ValueError(f"{who}: no samples to train on (X has shape {X.shape})")
        raise ValueError(
            f"{who}: X must be (samples, features) with one label each; got X "
            f"{X.shape} and y {y.shape}"
        )
    _check_inputs(X, who)
    return X, y


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
    live: bool | Any = False,
    dtype: str = "float64",
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
    from that file when it exists. The path is checked before anything is trained.

    ``compiled=True`` runs each step with ``autograd.compile`` (the same math on NumPy over the
    whole batch; much faster) for the named losses; for a loss function it trains eagerly
    with a warning. The weights then live in a NumPy array while fit runs and are written
    back to the Values before each callback, at checkpoints and when fit returns.

    ``live=True`` (or an :class:`nn.live.LiveView`) draws the curves, the decision boundary of
    2-D data and the network as training goes, in Jupyter (elsewhere: the progress bar only).

    ``dtype="float32"`` (with ``compiled=True``) computes the whole compiled program in float32,
    as PyTorch does by default; the parameters come back into the Values as floats. Eager
    training is float64.

    The loop below is all of fit: a :class:`nn.step.Step` runs each batch and holds the
    weights; the progress bar, callbacks, live view and checkpoints are hooks
    (:mod:`nn.hooks`) called after every step.
    """
    X, y = _data(X, y, "fit")
    _check_dtype(dtype, compiled)
    epochs, batch_size = _count(epochs, "epochs", 0), _count(batch_size, "batch_size", 1)
    checkpoint_every = _count(checkpoint_every, "checkpoint_every", 1)
    loss_fn, is_correct = _resolve_loss(loss, accuracy)
    if isinstance(loss, str):
        check_labels(loss, y, _output_count(model, X.shape[1]))
    optimizer = optimizer or Adam(model.parameters(), lr=0.01)
    view, path = live_view(live), None if checkpoint is None else Path(checkpoint)
    if resume and path is None:
        raise ValueError("fit: resume=True needs checkpoint=path")
    if path is not None:
        check_writable(path)  # before anything is trained or loaded
    settings = {"batch_size": batch_size, "seed": seed, "samples": len(X)}
    position, history = Position(), History()
    if resume and path is not None and path.exists():
        position, history = _resumed(path, model, optimizer, settings)
    step = _make_step(compiled, model, loss, loss_fn, is_correct, optimizer, X, y, accuracy, dtype)
    n_batches = math.ceil(len(X) / batch_size)
    hooks: list[Hook] = [ProgressBar(position, epochs, n_batches, is_correct is not None, progress)]
    if callbacks:
        hooks.append(Callbacks(callbacks))
    if view is not None:
        hooks.append(Live(view, step, model, X, y, _threshold(loss)))
    if path is not None:
        saving = (path, checkpoint_every, epochs, model, optimizer, position, settings)
        hooks.append(Checkpoint(*saving))

    interrupted, table = False, step.table(X, y)
    with _StopOnInterrupt() as stop, contextlib.ExitStack() as cleanup:
        for hook in hooks:
            cleanup.callback(hook.close)
        cleanup.callback(step.to_values)  # runs first: the Values get the last step, however
        # fit ends
        while position.epoch < epochs and not interrupted:
            epoch = position.epoch
            order = batches(table, y, batch_size, shuffle=shuffle,
                            seed=None if seed is None else [seed, epoch])  # fmt: skip
            for index, (rows, labels) in enumerate(order):
                if index < position.batch:
                    continue  # done before the checkpoint we resumed from
                try:
                    cost, correct = step.run(rows, labels)
                except KeyboardInterrupt:
                    interrupted = True  # raised before the optimizer's step: weights untouched
                    break
                position.add(index, cost, correct, len(rows))
                history.step_loss.append(cost)
                end_of_epoch = index + 1 == n_batches
                if end_of_epoch:
                    history.loss.append(position.loss_sum / position.seen)
                    history.accuracy.append(
                        position.correct / position.seen if is_correct else math.nan
                    )
                    position.next_epoch()
                info = StepInfo(epoch, index, cost, end_of_epoch, history, model, optimizer)
                try:
                    for hook in hooks:
                        hook.after_step(info, step)
                except KeyboardInterrupt:
                    interrupted = True
                if interrupted or stop.requested:
                    interrupted = True
                    break
            if not interrupted and position.epoch == epoch:  # no step ran: never loop forever
                raise RuntimeError(
                    f"fit: epoch {epoch + 1} ran no step (batch {position.batch} of "
                    f"{n_batches}); this is a bug in fit, please report it"
                )
        history.interrupted = interrupted
        step.to_values()
        for hook in hooks:
            hook.finish(history, step)
    if interrupted and progress:
        print(f"stopped after step {len(history.step_loss)}: the model keeps those weights")
    return history


def _check_dtype(dtype: Any, compiled: bool) -> None:
    if dtype not in ("float64", "float32"):
        raise ValueError(f"fit: dtype must be 'float64' or 'float32', got {dtype!r:.40}")
    if dtype == "float32" and not compiled:
        raise ValueError(
            "fit: dtype='float32' needs compiled=True (eager training computes in float64)"
        )


def _resumed(
    path: Path, model: Module, optimizer: Optimizer, settings: dict
) -> tuple[Position, History]:
    """Load the checkpoint at ``path`` into the model and optimizer; where it stood."""
    saved_position, saved = load_checkpoint(path, model, optimizer, settings)
    position = Position(**{key: saved_position[key] for key in POSITION_KEYS})
    return position, History(**{key: list(saved[key]) for key in HISTORY_LISTS})


def _threshold(loss: Any) -> float:
    """Where one output changes class, for the live view's boundary."""
    return losses.named_loss(loss).threshold if isinstance(loss, str) else 0.0


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
    _check_inputs(X, "evaluate")
    if isinstance(loss, str):
        check_labels(loss, y, _output_count(model, X.shape[1]), "evaluate")
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
