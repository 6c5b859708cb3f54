"""model.to_torch() and MLP.from_torch(): the same function, to 1e-12 in float64."""

from __future__ import annotations

import re

import pytest

from nn import MLP

torch = pytest.importorskip("torch", reason="to_torch/from_torch need the optional PyTorch")

POINTS = [[0.3, -1.2, 0.8], [2.0, 0.1, -0.5], [-3.0, 4.0, 0.0]]


def outputs(model, x):
    out = model(x)
    return [v.data for v in out] if isinstance(out, list) else [out.data]


@pytest.mark.parametrize(
    "model",
    [
        MLP(3, [5, 4, 1], seed=0),
        MLP(3, [6, 2], activation="relu", output_activation="sigmoid", seed=1),
        MLP(3, [4, 4, 3], activation=["sigmoid", "tanh"], output_activation="linear", seed=2),
    ],
)
def test_to_torch_computes_the_same_function(model):
    sequential = model.to_torch()
    for x in POINTS:
        theirs = sequential(torch.tensor(x, dtype=torch.float64)).tolist()
        assert theirs == pytest.approx(outputs(model, x), abs=1e-12, rel=0)


def test_from_torch_round_trip_and_a_torch_made_network():
    model = MLP(3, [5, 2], activation="relu", seed=3)
    back = MLP.from_torch(model.to_torch())
    assert repr(back) == repr(model) and back.state_dict() == model.state_dict()
    torch.manual_seed(0)
    sequential = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2), torch.nn.Identity()
    ).double()
    converted = MLP.from_torch(sequential)
    assert converted.activations == ["tanh", "linear"]
    for x in POINTS:
        theirs = sequential(torch.tensor(x, dtype=torch.float64)).tolist()
        assert theirs == pytest.approx(outputs(converted, x), abs=1e-12, rel=0)


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        (
            lambda: [torch.nn.Linear(3, 4), torch.nn.Softmax(dim=0)],
            "cannot convert Softmax at position 1",
        ),
        (lambda: [torch.nn.Tanh()], "Tanh at position 0 must follow a Linear"),
        (
            lambda: [torch.nn.Linear(3, 4), torch.nn.Linear(5, 1)],
            "a Linear with 4 outputs feeds one with 5 inputs",
        ),
        (lambda: [torch.nn.Linear(3, 4, bias=False)], "Linear at position 0 has no bias"),
        (lambda: [], "the Sequential has no Linear layer"),
    ],
)
def test_from_torch_errors(modules, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        MLP.from_torch(torch.nn.Sequential(*modules()))
