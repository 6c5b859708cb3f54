"""Saving and loading models as JSON: the architecture and every number, no pickle.

Files are written to a temporary file beside the target and renamed into place, so an
interruption (even ``kill -9``) never leaves a half-written file; the file gets the mode an
ordinary new file would (the umask applies), or keeps the mode of the file it replaces.

Loading checks the whole file against its own config before anything is built: every key,
every count, every number (finite, not a bool, not too large for a float). The work is bounded
by the size of the file, whatever its config claims. A bad file raises ``ValueError`` naming
the file and the key, and never yields a half-loaded model. What ``save`` writes, ``load``
reads: non-finite weights are refused on save.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from autograd.viz.files import write_atomic

from .module import ACTIVATIONS, MLP, Layer, Module, Neuron, check_state_keys

FORMAT = "seegrad.nn"
VERSION = 1
_CLASSES: dict[str, type[Module]] = {"MLP": MLP, "Layer": Layer, "Neuron": Neuron}
# The config keys each class accepts, the required ones first.
_CONFIG_KEYS = {
    "Neuron": (("nin",), ("activation",)),
    "Layer": (("nin", "nout"), ("activation",)),
    "MLP": (("nin", "nouts"), ("activation", "output_activation")),
}
MAX_DIGITS = 1000  # a longer integer literal is refused by key (Python caps int() at 4300)


# --- writing ------------------------------------------------------------------------------


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


def check_finite_state(state: dict[str, list[float]], source: str) -> None:
    """``ValueError`` naming the first non-finite number of a state dict (what ``load`` refuses,
    ``save`` must not write)."""
    for key, values in state.items():
        for i, value in enumerate(values):
            if not math.isfinite(value):
                raise ValueError(
                    f"{source}: state[{key!r}][{i}] is {value!r}; a model with a non-finite "
                    f"weight cannot be saved (it could not be loaded)"
                )


def save(model: Module, path: str | os.PathLike[str]) -> None:
    """Write ``model`` (architecture and weights) to ``path`` as JSON, atomically.

    ``ValueError`` if a weight is NaN or infinite (nothing is written)."""
    data = model_to_dict(model)
    check_finite_state(data["state"], f"save {path}")
    write_atomic(path, json.dumps(data, indent=1, allow_nan=False))


# --- reading ------------------------------------------------------------------------------


class _LongInteger:
    """An integer literal too long to convert: kept as text so validation can name its key."""

    def __init__(self, digits: str) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<an integer of {len(self.digits)} digits>"


def _parse_int(text: str) -> int | _LongInteger:
    return int(text) if len(text) <= MAX_DIGITS else _LongInteger(text)


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"(\s*:)?|[\[\]{}]')


def _outermost_key_of_deep_nesting(text: str, limit: int = 100) -> str | None:
    """The top-level key under which ``text`` nests deeper than ``limit`` (for the error)."""
    depth, top_key = 0, None
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return top_key
        elif token in "]}":
            depth -= 1
        elif match.group(1) and depth == 1:
            top_key = token[: token.rindex('"') + 1]
    return top_key


def read_json(path: str | os.PathLike[str]) -> Any:
    """Parse a JSON file; a missing file is ``FileNotFoundError``, bad JSON a ``ValueError``
    (also for nesting too deep to parse, and integers too long to convert)."""
    path = os.fspath(path)  # TypeError for anything but a str or path (an int is a descriptor)
    if not stat.S_ISREG(os.stat(path).st_mode):  # /dev/zero or a FIFO would never end
        raise ValueError(f"{path}: not a regular file")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a JSON file (not UTF-8 text)") from None
    try:
        return json.loads(text, parse_int=_parse_int)
    except RecursionError:
        key = _outermost_key_of_deep_nesting(text)
        where = f" under key {key}" if key else ""
        raise ValueError(f"{path}: JSON nested too deeply{where}; the file is damaged") from None
    except ValueError as error:  # JSONDecodeError is a ValueError
        raise ValueError(f"{path}: not valid JSON ({error}); the file may be damaged") from None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _layer_sizes(kind: str, config: dict[str, Any], source: str) -> list[tuple[int, int]]:
    """``(inputs, neurons)`` of each layer the config describes, checked without building."""
    bad = f"{source}: bad {kind} architecture"
    required, optional = _CONFIG_KEYS[kind]
    for key in config:
        if key not in required + optional:
            raise ValueError(
                f"{bad}: config key {key!r} is not one of {', '.join(required + optional)}"
            )
    for key in required:
        if key not in config:
            raise ValueError(f"{bad}: config lacks {key!r}")
    if not _is_count(config["nin"]):
        raise ValueError(f"{bad}: config['nin'] must be an int >= 1, got {config['nin']!r:.60}")
    if kind == "Neuron":
        sizes, hidden = [1], 0
    elif kind == "Layer":
        sizes, hidden = [config["nout"]], 0
    else:
        sizes = config["nouts"]
        if not isinstance(sizes, list) or not sizes:
            raise ValueError(
                f"{bad}: config['nouts']: MLP needs a non-empty list of layer sizes, "
                f"got {sizes!r:.60}"
            )
        hidden = len(sizes) - 1
    for i, size in enumerate(sizes):
        if not _is_count(size):
            key = "config['nout']" if kind == "Layer" else f"config['nouts'][{i}]"
            raise ValueError(f"{bad}: {key} must be an int >= 1, got {size!r:.60}")
    for key in optional:
        names = config.get(key, "tanh")
        if kind == "MLP" and key == "activation" and isinstance(names, list):
            if len(names) != hidden:
                raise ValueError(
                    f"{bad}: config['activation'] names {len(names)} activations for "
                    f"{hidden} hidden layer(s)"
                )
        else:
            names = [names]
        for name in names:
            if not isinstance(name, str) or name not in ACTIVATIONS:
                raise ValueError(
                    f"{bad}: config[{key!r}] must be one of {', '.join(ACTIVATIONS)}, "
                    f"got {name!r:.60}"
                )
    inputs = [config["nin"], *sizes[:-1]]
    return list(zip(inputs, sizes))


def _expected_keys(kind: str, layers: list[tuple[int, int]]) -> Iterator[tuple[str, int]]:
    """Each state-dict key the architecture has, with how many numbers it holds."""
    for index, (inputs, neurons) in enumerate(layers):
        for j in range(neurons):
            prefix = {"Neuron": "", "Layer": f"neurons.{j}."}.get(
                kind, f"layers.{index}.neurons.{j}."
            )
            yield f"{prefix}w", inputs
            yield f"{prefix}b", 1


def check_number(value: Any, where: str) -> float:
    """``value`` as a float if it is a finite real number (not a bool), else ``ValueError``
    naming ``where``."""
    problem = None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        problem = "is not a number"
    else:
        try:
            number = float(value)
        except OverflowError:
            problem = "is too large for a float"
        else:
            if math.isfinite(number):
                return number
            problem = "is not finite"
    raise ValueError(f"{where} must be a finite number; got {value!r:.60}, which {problem}")


def check_state(kind: str, config: Any, state: Any, source: str) -> None:
    """Check ``state`` against the architecture ``config`` claims, without building it.

    Counts are compared before any key is generated, so a config claiming millions of
    neurons over a small state costs nothing."""
    if not isinstance(config, dict) or not isinstance(state, dict):
        raise ValueError(f'{source}: "config" and "state" must both be JSON objects')
    layers = _layer_sizes(kind, config, source)
    keys = 2 * sum(neurons for _, neurons in layers)
    if keys > 2 * len(state) + 2:
        raise ValueError(
            f"{source}: the config describes {keys} state keys (a w and a b per neuron) but "
            f"the state has {len(state)}; the file is damaged or not this model's"
        )
    expected = dict(_expected_keys(kind, layers))
    check_state_keys(state, expected, where=f"{source}: ")
    for key, count in expected.items():
        values = state[key]
        if not isinstance(values, list):
            raise ValueError(
                f"{source}: state[{key!r}] must be a list of {count} numbers, "
                f"got {type(values).__name__}"
            )
        if len(values) != count:
            raise ValueError(
                f"{source}: state dict key {key!r} has {len(values)} number(s), expected {count}"
            )
        for i, value in enumerate(values):
            check_number(value, f"{source}: state[{key!r}][{i}]")


def check_model_dict(data: Any, source: str) -> str:
    """Check everything in a :func:`model_to_dict` structure; return its class name."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f'{source}: not a seegrad model (no "format": {FORMAT!r})')
    version = data.get("version")
    if isinstance(version, bool) or version != VERSION:
        raise ValueError(
            f"{source}: unsupported version {version!r:.60} (this seegrad reads {VERSION})"
        )
    kind = data.get("class")
    if not isinstance(kind, str) or kind not in _CLASSES:
        raise ValueError(
            f"{source}: unknown model class {kind!r:.60}; expected {', '.join(_CLASSES)}"
        )
    check_state(kind, data.get("config"), data.get("state"), source)
    return kind


def model_from_dict(data: Any, source: str = "model") -> Module:
    """Rebuild a model from :func:`model_to_dict`'s output; ``ValueError`` if anything is off,
    found before anything is built."""
    kind = check_model_dict(data, source)
    model = _CLASSES[kind](**data["config"])
    try:
        model.load_state_dict(data["state"])
    except ValueError as error:  # checked above already; kept as a second line of defence
        raise ValueError(f"{source}: {error}") from None
    return model


def load(path: str | os.PathLike[str]) -> Module:
    """Read a model written by :func:`save`. Returns a new model; ``ValueError`` on a bad file."""
    return model_from_dict(read_json(path), source=str(path))
