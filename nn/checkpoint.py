"""Training checkpoints for ``fit``: the model, the optimizer's state, where training stands
and its history, in one JSON file written atomically. Loading checks everything before it
changes anything."""

from __future__ import annotations

import json
import numbers
from pathlib import Path
from typing import Any

from .io import model_from_dict, model_to_dict, read_json, write_atomic
from .module import Module
from .optim import Optimizer

FORMAT = "seegrad.checkpoint"
_COUNTS = ("epoch", "batch", "correct", "seen")
HISTORY_LISTS = ("loss", "accuracy", "step_loss")


def save_checkpoint(
    path: Path, model: Module, optimizer: Optimizer, position: dict, history: dict
) -> None:
    checkpoint = {
        "format": FORMAT,
        "model": model_to_dict(model),
        "optimizer": {"class": type(optimizer).__name__, "state": optimizer.state_dict()},
        "position": position,
        "history": history,
    }
    write_atomic(path, json.dumps(checkpoint))


def _check_position(path: Path, position: Any, settings: dict) -> None:
    if not isinstance(position, dict):
        raise ValueError(f"{path}: checkpoint lacks its position")
    for key in _COUNTS:
        count = position.get(key)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"{path}: checkpoint position {key!r} must be a count, got {count!r}")
    if not isinstance(position.get("loss_sum"), numbers.Real):
        raise ValueError(f"{path}: checkpoint position 'loss_sum' must be a number")
    for key, value in settings.items():
        if position.get(key) != value:
            raise ValueError(
                f"{path}: checkpoint was made with {key}={position.get(key)!r}, "
                f"not {key}={value!r}; resume with the same settings"
            )


def _check_history(path: Path, history: Any) -> None:
    if not isinstance(history, dict):
        raise ValueError(f"{path}: checkpoint lacks its history")
    for key in HISTORY_LISTS:
        values = history.get(key)
        if not isinstance(values, list) or not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values
        ):
            raise ValueError(f"{path}: checkpoint history {key!r} must be a list of numbers")


def load_checkpoint(
    path: Path, model: Module, optimizer: Optimizer, settings: dict
) -> tuple[dict, dict]:
    """Restore ``model`` and ``optimizer`` from ``path``; return its position and history (a
    dict of the lists in :data:`HISTORY_LISTS`).

    The checkpoint must be of the same architecture, optimizer class and ``settings`` (batch
    size, seed, number of samples), or ``ValueError`` says which differs and nothing changes.
    """
    data = read_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
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
    _check_position(path, position, settings)
    _check_history(path, history)
    backup = optimizer.state_dict()
    optimizer.load_state_dict(opt.get("state"))  # checks first; raises with nothing changed
    try:
        model.load_state_dict(saved.state_dict())
    except ValueError:
        optimizer.load_state_dict(backup)
        raise
    return position, history
