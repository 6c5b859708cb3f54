"""nn.save / nn.load: JSON round trips, atomic writes, and clear errors for bad files."""

from __future__ import annotations

import json
import os
import re

import pytest

import nn
from nn import MLP, Layer, Neuron


@pytest.mark.parametrize(
    "model",
    [
        MLP(3, [4, 4, 2], activation=["relu", "tanh"], output_activation="sigmoid", seed=1),
        Layer(2, 3, activation="relu", seed=2),
        Neuron(4, activation="linear", seed=3),
    ],
)
def test_round_trip_keeps_architecture_and_every_bit(tmp_path, model):
    path = tmp_path / "model.json"
    nn.save(model, path)
    loaded = nn.load(path)
    assert type(loaded) is type(model) and repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()  # floats round-trip exactly through JSON
    x = [0.3, -0.7, 1.1, 0.2][: model.nin]
    out, again = model(x), loaded(x)
    assert (
        [v.data for v in out] == [v.data for v in again]
        if isinstance(out, list)
        else (out.data == again.data)
    )
    data = json.loads(path.read_text())
    assert data["format"] == "seegrad.nn" and data["version"] == 1


def test_save_leaves_no_temporary_file_and_replaces_atomically(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    nn.save(MLP(2, [2, 1], seed=0), path)
    before = path.read_text()
    assert os.listdir(tmp_path) == ["model.json"]

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        nn.save(MLP(2, [2, 1], seed=1), path)
    assert path.read_text() == before  # the old file is whole
    assert os.listdir(tmp_path) == ["model.json"]  # and the temporary file is gone


def _write(tmp_path, content):
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _good():
    return json.loads(json.dumps(nn.io.model_to_dict(MLP(2, [2, 1], seed=0))))


def _with(**changes):
    data = _good()
    data.update(changes)
    return data


def _state_with(key, value):
    data = _good()
    data["state"][key] = value
    return data


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "seegrad.nn", "vers', "not valid JSON"),
        (b"\xff\xfe\x00", "not a JSON file (not UTF-8 text)"),
        ("[1, 2]", "not a seegrad model"),
        (_with(format="other"), "not a seegrad model"),
        (_with(version=99), "unsupported version 99"),
        (_with(**{"class": "Transformer"}), "unknown model class 'Transformer'"),
        (_with(config=[1]), '"config" and "state" must both be JSON objects'),
        (_with(config={"nin": 2, "nouts": [2, 1], "colour": 1}), "bad MLP architecture"),
        (_with(config={"nin": 2, "nouts": []}), "MLP needs a non-empty list of layer sizes"),
        (_state_with("layers.0.neurons.0.w", [1.0]), "has 1 number(s), expected 2"),
        (_state_with("layers.9.neurons.0.w", [1.0]), "unexpected key(s): layers.9.neurons.0.w"),
    ],
)
def test_bad_files_raise_value_error_naming_the_problem(tmp_path, content, message):
    path = _write(tmp_path, content)
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        nn.load(path)
    assert str(path) in str(error.value)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.json")


def test_cannot_save_other_modules(tmp_path):
    class Mine(nn.Module):
        pass

    with pytest.raises(TypeError, match="save: can save MLP, Layer, Neuron, not Mine"):
        nn.save(Mine(), tmp_path / "x.json")
