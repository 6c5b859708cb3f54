"""Training checkpoints for ``fit``: the model, the optimizer's state, where training stands
and its history, in one JSON file written atomically. Loading checks everything before it
changes anything."""

from __future__ import annotations

import json
import math
import numbers
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd.viz.files import open_temporary

from .io import (
    check_finite_state,
    check_model_dict,
    check_number,
    model_from_dict,
    model_to_dict,
    read_json,
    write_atomic,
)
from .module import Module
from .optim import Optimizer

FORMAT = "seegrad.checkpoint"
_COUNTS = ("epoch", "batch", "correct", "seen")
HISTORY_LISTS = ("loss", "accuracy", "step_loss")


@dataclass
class Position:
    """Where training stands: the next batch to run, and the running sums of the epoch in
    progress (the mean loss and accuracy so far are ``loss_sum / seen``, ``correct / seen``)."""

    epoch: int = 0
    batch: int = 0
    loss_sum: float = 0.0
    correct: int = 0
    seen: int = 0

    def add(self, index: int, cost: float, correct: int | None, samples: int) -> None:
        """Count the step just run on batch ``index`` (``samples`` rows, mean loss ``cost``)."""
        self.batch = index + 1
        self.loss_sum += cost * samples
        self.seen += samples
        if correct is not None:
            self.correct += correct

    def next_epoch(self) -> None:
        self.epoch += 1
        self.batch, self.loss_sum, self.correct, self.seen = 0, 0.0, 0, 0


def check_writable(path: Path) -> None:
    """Refuse, before any training, a checkpoint path that could not be written: its folder
    missing or read-only, or the path a folder. A temporary file is made and removed beside it,
    as the save will."""
    if path.is_dir():
        raise ValueError(f"fit: checkpoint {path} is a folder; pass a file path")
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"fit: checkpoint {path}: the folder {folder} does not exist")
    try:
        handle, temporary = open_temporary(path)
    except OSError as error:
        raise ValueError(
            f"fit: checkpoint {path} cannot be written ({error.strerror or error}); "
            "nothing was trained"
        ) from None
    os.close(handle)
    temporary.unlink(missing_ok=True)


def save_checkpoint(
    path: Path, model: Module, optimizer: Optimizer, position: dict, history: dict
) -> None:
    saved = model_to_dict(model)
    check_finite_state(saved["state"], f"checkpoint {path}")
    checkpoint = {
        "format": FORMAT,
        "model": saved,
        "optimizer": {"class": type(optimizer).__name__, "state": optimizer.state_dict()},
        "position": position,
        "history": history,
    }
    write_atomic(path, json.dumps(checkpoint))


def _check_position(path: Path, position: Any, settings: dict) -> None:
    """The position must be one ``fit`` can reach with these settings: an impossible one (a
    batch past the end of the epoch) would otherwise never finish an epoch."""
    if not isinstance(position, dict):
        raise ValueError(f"{path}: checkpoint lacks its position")
    for key in _COUNTS:
        count = position.get(key)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(
                f"{path}: checkpoint position {key!r} must be a count, got {count!r:.60}"
            )
    loss_sum = position.get("loss_sum")
    if not isinstance(loss_sum, numbers.Real) or isinstance(loss_sum, bool):
        raise ValueError(f"{path}: checkpoint position 'loss_sum' must be a number")
    check_number(loss_sum, f"{path}: checkpoint position 'loss_sum'")
    for key, value in settings.items():
        if position.get(key) != value:
            raise ValueError(
                f"{path}: checkpoint was made with {key}={position.get(key)!r:.60}, "
                f"not {key}={value!r}; resume with the same settings"
            )
    batch_size, samples = settings["batch_size"], settings["samples"]
    n_batches = math.ceil(samples / batch_size)
    if position["batch"] >= n_batches:
        raise ValueError(
            f"{path}: checkpoint position 'batch' is {position['batch']}, impossible: an epoch "
            f"of {samples} samples in batches of {batch_size} has {n_batches} batches"
        )
    if position["seen"] != position["batch"] * batch_size:
        raise ValueError(
            f"{path}: checkpoint position 'seen' is {position['seen']}, but {position['batch']} "
            f"batches of {batch_size} make {position['batch'] * batch_size}"
        )
    if position["correct"] > position["seen"]:
        raise ValueError(
            f"{path}: checkpoint position 'correct' ({position['correct']}) exceeds 'seen' "
            f"({position['seen']})"
        )


def _check_history(path: Path, history: Any, epochs_done: int) -> None:
    if not isinstance(history, dict):
        raise ValueError(f"{path}: checkpoint lacks its history")
    for key in HISTORY_LISTS:
        values = history.get(key)
        if not isinstance(values, list) or not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values
        ):
            raise ValueError(f"{path}: checkpoint history {key!r} must be a list of numbers")
        for i, value in enumerate(values):
            if key == "accuracy":  # NaN when there is no accuracy rule
                if not (math.isnan(value) or 0.0 <= value <= 1.0):
                    raise ValueError(
                        f"{path}: checkpoint history 'accuracy'[{i}] must be in [0, 1] or NaN, "
                        f"got {value!r:.60}"
                    )
            else:
                check_number(value, f"{path}: checkpoint history {key!r}[{i}]")
        if key != "step_loss" and len(values) != epochs_done:
            raise ValueError(
                f"{path}: checkpoint history {key!r} has {len(values)} entries but the position "
                f"says {epochs_done} epochs are done"
            )


def _check_optimizer_numbers(path: Path, state: Any) -> None:
    """Every number of the optimizer's state is finite (a NaN moment would poison training)."""
    if not isinstance(state, dict):
        raise ValueError(f"{path}: checkpoint optimizer state must be an object")
    for key, value in state.items():
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        for i, number in enumerate(values):
            where = f"[{i}]" if isinstance(value, list) else ""
            check_number(number, f"{path}: checkpoint optimizer state[{key!r}]{where}")


def load_checkpoint(
    path: Path, model: Module, optimizer: Optimizer, settings: dict
) -> tuple[dict, dict]:
    """Restore ``model`` and ``optimizer`` from ``path``; return its position and history (a
    dict of the lists in :data:`HISTORY_LISTS`).

    The checkpoint must be of the same architecture, optimizer class and ``settings`` (batch
    size, seed, number of samples), and its position one that training can reach, or
    ``ValueError`` names the file and what differs, and nothing changes. Everything is checked
    before anything is built or changed.
    """
    data = read_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a seegrad checkpoint")
    saved = data.get("model")
    kind = check_model_dict(saved, f"{path} (model)")
    if kind != type(model).__name__ or saved["config"] != model.config():  # type: ignore[attr-defined]
        described = model_from_dict(saved, f"{path} (model)")  # checked: bounded by the file
        raise ValueError(
            f"{path}: the checkpoint is of {described!r}, but the model being trained is {model!r}"
        )
    position, history, opt = data.get("position"), data.get("history"), data.get("optimizer")
    if not isinstance(opt, dict) or opt.get("class") != type(optimizer).__name__:
        found = opt.get("class") if isinstance(opt, dict) else None
        raise ValueError(
            f"{path}: the checkpoint's optimizer is {found!s:.60}, not {type(optimizer).__name__}"
        )
    _check_position(path, position, settings)
    _check_history(path, history, position["epoch"])
    _check_optimizer_numbers(path, opt.get("state"))
    backup = optimizer.state_dict()
    try:
        optimizer.load_state_dict(opt["state"])  # checks first; raises with nothing changed
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    try:
        model.load_state_dict(saved["state"])
    except ValueError:
        optimizer.load_state_dict(backup)
        raise
    return position, history
