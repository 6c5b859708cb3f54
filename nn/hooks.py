"""What ``fit`` does around its steps, each a :class:`Hook`: the progress bar, the user's
callbacks, the live view and checkpoints.

``fit`` calls every hook's ``after_step`` after each completed step, ``finish`` when training
ends (finished or interrupted; the step has written its weights into the Values by then), and
``close`` however it ends, errors included. A hook that reads or changes the weights asks the
step (:class:`nn.step.Step`): ``to_values()`` before reading the Values, ``from_values()`` after
changing them. A hook raising ``KeyboardInterrupt`` stops ``fit`` after the current step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checkpoint import Position, save_checkpoint
from .module import Module
from .optim import Optimizer
from .step import History, Step, StepInfo

if TYPE_CHECKING:
    from .live import LiveView


class Hook:
    """Does nothing; a hook overrides what it needs."""

    def after_step(self, info: StepInfo, step: Step) -> None:
        """After every completed step."""

    def finish(self, history: History, step: Step) -> None:
        """When training ends, finished or interrupted."""

    def close(self) -> None:
        """However ``fit`` ends, errors included."""


class ProgressBar(Hook):
    """A tqdm bar of steps, showing the loss (and accuracy) of the epoch so far."""

    def __init__(
        self, position: Position, epochs: int, n_batches: int, has_accuracy: bool, show: bool
    ) -> None:
        from tqdm.auto import tqdm

        total = epochs * n_batches
        self.position, self.epochs, self.has_accuracy = position, epochs, has_accuracy
        done = min(position.epoch * n_batches + position.batch, total)
        self.bar = tqdm(total=total, initial=done, disable=not show, unit="step",
                        dynamic_ncols=True)  # fmt: skip
        self._describe()

    def _describe(self) -> None:
        epoch = min(self.position.epoch + 1, self.epochs)
        self.bar.set_description(f"epoch {epoch}/{self.epochs}", refresh=False)

    def after_step(self, info: StepInfo, step: Step) -> None:
        if info.end_of_epoch:  # the epoch's means, steadier than one batch
            loss, accuracy = info.history.loss[-1], info.history.accuracy[-1]
            self._describe()
        else:
            loss = self.position.loss_sum / self.position.seen
            accuracy = self.position.correct / self.position.seen
        shown = {"loss": f"{loss:.4f}"}
        if self.has_accuracy:
            shown["acc"] = f"{accuracy:.3f}"
        self.bar.update(1)
        self.bar.set_postfix(shown, refresh=False)

    def close(self) -> None:
        self.bar.close()


class Callbacks(Hook):
    """The user's callbacks, given the current weights in the Values; what they write into
    the Values is trained on."""

    def __init__(self, callbacks: Sequence[Callable[[StepInfo], Any]]) -> None:
        self.callbacks = list(callbacks)

    def after_step(self, info: StepInfo, step: Step) -> None:
        step.to_values()
        try:
            for callback in self.callbacks:
                callback(info)
        finally:
            step.from_values()


class Live(Hook):
    """The live view, drawn by time: the Values are written only when a redraw is due, and the
    decision boundary comes from the step's own program (``step.predict``)."""

    def __init__(
        self, view: LiveView, step: Step, model: Module, X: Any, y: Any, threshold: float
    ) -> None:
        self.view, self.model = view, model
        view.start(model, X, y, step.predict, threshold)

    def after_step(self, info: StepInfo, step: Step) -> None:
        if self.view.due():
            step.to_values()
            self.view(info)

    def finish(self, history: History, step: Step) -> None:
        self.view.finish(history, self.model)


class Checkpoint(Hook):
    """Saves the model, the optimizer, the position and the history to ``path`` every
    ``every`` epochs and when training ends (``fit`` checks the path can be written before it
    changes anything: :func:`nn.checkpoint.check_writable`)."""

    def __init__(
        self, path: Path, every: int, epochs: int, model: Module, optimizer: Optimizer,
        position: Position, settings: dict,
    ) -> None:  # fmt: skip
        self.path, self.every, self.epochs = path, every, epochs
        self.model, self.optimizer, self.position, self.settings = (
            model, optimizer, position, settings,
        )  # fmt: skip

    def save(self, history: History, step: Step) -> None:
        step.to_values()
        state = {**asdict(self.position), **self.settings}
        save_checkpoint(self.path, self.model, self.optimizer, state, asdict(history))

    def after_step(self, info: StepInfo, step: Step) -> None:
        done = self.position.epoch
        if info.end_of_epoch and done < self.epochs and done % self.every == 0:
            self.save(info.history, step)

    def finish(self, history: History, step: Step) -> None:
        self.save(history, step)
