"""The way out for users who outgrow a scalar engine: an MLP as a ``torch.nn.Sequential`` and
back. Torch is optional and imported only here.

``nn.module`` imports this file, not the other way round: the MLP class to build arrives as an
argument (``MLP.from_torch`` passes itself)."""

from __future__ import annotations

import itertools
from typing import Any

_TO_TORCH = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "ReLU"}
_FROM_TORCH = {name: activation for activation, name in _TO_TORCH.items()}


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError("to_torch/from_torch need PyTorch: pip install torch") from None
    return torch


def to_torch(model: Any) -> Any:
    """``Sequential(Linear, activation, Linear, ...)`` in float64; row i of a Linear's weight is
    neuron i's weights, its bias entry neuron i's bias."""
    torch = _torch()
    modules = []
    for layer in model.layers:
        linear = torch.nn.Linear(layer.nin, len(layer.neurons), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            )
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
        modules.append(linear)
        if layer.activation != "linear":
            modules.append(getattr(torch.nn, _TO_TORCH[layer.activation])())
    return torch.nn.Sequential(*modules)


def from_torch(sequential: Any, mlp: type) -> Any:
    """The ``mlp`` (the MLP class) computing the same function as ``sequential``: Linear
    layers, each optionally followed by Tanh, Sigmoid, ReLU or Identity."""
    torch = _torch()
    layers: list[tuple[Any, str]] = []
    for i, module in enumerate(sequential):
        if isinstance(module, torch.nn.Linear):
            if module.bias is None:
                raise ValueError(f"from_torch: Linear at position {i} has no bias")
            layers.append((module, "linear"))
        elif type(module).__name__ in _FROM_TORCH or isinstance(module, torch.nn.Identity):
            if not layers or layers[-1][1] != "linear":
                raise ValueError(
                    f"from_torch: {type(module).__name__} at position {i} must follow a Linear"
                )
            if not isinstance(module, torch.nn.Identity):
                layers[-1] = (layers[-1][0], _FROM_TORCH[type(module).__name__])
        else:
            raise ValueError(
                f"from_torch: cannot convert {type(module).__name__} at position {i}; "
                f"only Linear, Tanh, Sigmoid, ReLU and Identity"
            )
    if not layers:
        raise ValueError("from_torch: the Sequential has no Linear layer")
    for (previous, _), (linear, _) in itertools.pairwise(layers):
        if previous.out_features != linear.in_features:
            raise ValueError(
                f"from_torch: a Linear with {previous.out_features} outputs feeds one with "
                f"{linear.in_features} inputs"
            )
    activations = [activation for _, activation in layers]
    model = mlp(
        layers[0][0].in_features,
        [linear.out_features for linear, _ in layers],
        activation=activations[:-1],
        output_activation=activations[-1],
        seed=0,  # the weights are replaced below; leave the caller's global random alone
    )
    state = {}
    for index, (linear, _) in enumerate(layers):
        weight = linear.weight.detach().double().tolist()
        bias = linear.bias.detach().double().tolist()
        for j in range(linear.out_features):
            state[f"layers.{index}.neurons.{j}.w"] = weight[j]
            state[f"layers.{index}.neurons.{j}.b"] = [bias[j]]
    model.load_state_dict(state)
    return model
