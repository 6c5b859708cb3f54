"""The nn section of API.md, as written: names, signatures and defaults."""

from __future__ import annotations

import inspect

import nn


def defaults(function):
    return {
        name: parameter.default
        for name, parameter in inspect.signature(function).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def test_every_name_of_the_contract_is_exported():
    from nn import (  # noqa: F401
        MLP,
        SGD,
        Adam,
        Layer,
        Module,
        Neuron,
        binary_cross_entropy,
        cross_entropy,
        evaluate,
        fit,
        hinge_loss,
        load,
        mse_loss,
        save,
        softmax,
    )

    assert nn.data.make_moons is not None
    assert set(nn.__all__) >= {"Module", "MLP", "SGD", "Adam", "softmax", "fit", "save", "data"}


def test_signatures_and_defaults():
    assert list(inspect.signature(nn.Neuron).parameters)[:3] == ["nin", "activation", "seed"]
    assert defaults(nn.Neuron).items() >= {"activation": "tanh", "seed": None}.items()
    assert list(inspect.signature(nn.Layer).parameters)[:4] == ["nin", "nout", "activation", "seed"]
    assert list(inspect.signature(nn.MLP).parameters)[:5] == [
        "nin", "nouts", "activation", "output_activation", "seed",
    ]  # fmt: skip
    assert defaults(nn.MLP)["output_activation"] == "linear"
    assert defaults(nn.SGD) == {"momentum": 0.0, "weight_decay": 0.0}
    assert defaults(nn.Adam).items() >= {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8}.items()
    for name in ("parameters", "zero_grad", "state_dict", "load_state_dict", "__call__"):
        assert callable(getattr(nn.Module, name))
    for optimizer in (nn.SGD, nn.Adam):
        assert callable(optimizer.step) and callable(optimizer.zero_grad)
