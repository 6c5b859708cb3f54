"""Saving and loading models as JSON: the architecture and every number, no pickle.

Files are written to a temporary file beside the target and renamed into place, so an
interruption never leaves a half-written file; a bad file raises ``ValueError`` and never yields
a half-loaded model.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .module import MLP, Layer, Module, Neuron

FORMAT = "seegrad.nn"
VERSION = 1
_CLASSES: dict[str, type[Module]] = {"MLP": MLP, "Layer": Layer, "Neuron": Neuron}


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to a temporary file in the same folder, then rename it over ``path``."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def model_to_dict(model: Module) -> dict[str, Any]:
    """``{"format", "version", "class", "config", "state"}``: everything needed to rebuild it."""
    kind = type(model).__name__
    if _CLASSES.get(kind) is not type(model):
        raise TypeError(f"save: can save {', '.join(_CLASSES)}, not {kind}")
    return {
        "format": FORMAT,
        "version": VERSION,
        "class": kind,
        "config": model.config(),  # type: ignore[attr-defined]
        "state": model.state_dict(),
    }


def model_from_dict(data: Any, source: str = "model") -> Module:
    """Rebuild a model from :func:`model_to_dict`'s output; ``ValueError`` if anything is off."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f'{source}: not a seegrad model (no "format": {FORMAT!r})')
    if data.get("version") != VERSION:
        raise ValueError(
            f"{source}: unsupported version {data.get('version')!r} (this seegrad reads {VERSION})"
        )
    kind = data.get("class")
    if kind not in _CLASSES:
        raise ValueError(f"{source}: unknown model class {kind!r}; expected {', '.join(_CLASSES)}")
    config, state = data.get("config"), data.get("state")
    if not isinstance(config, dict) or not isinstance(state, dict):
        raise ValueError(f'{source}: "config" and "state" must both be JSON objects')
    try:
        model = _CLASSES[kind](**config)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{source}: bad {kind} architecture {config!r}: {error}") from None
    try:
        model.load_state_dict(state)
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from None
    return model


def save(model: Module, path: str | os.PathLike[str]) -> None:
    """Write ``model`` (architecture and weights) to ``path`` as JSON, atomically."""
    write_atomic(path, json.dumps(model_to_dict(model), indent=1))


def read_json(path: str | os.PathLike[str]) -> Any:
    """Parse a JSON file; a missing file is ``FileNotFoundError``, bad JSON a ``ValueError``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a JSON file (not UTF-8 text)") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error}); the file may be damaged") from None


def load(path: str | os.PathLike[str]) -> Module:
    """Read a model written by :func:`save`. Returns a new model; ``ValueError`` on a bad file."""
    return model_from_dict(read_json(path), source=str(path))
