"""A few-line stand-in for ``nn`` (Neuron, Layer, MLP) so drawing tests need not wait for it."""

from __future__ import annotations

import random

from autograd import Value, dot
from autograd.core.value import module_scope


class Neuron:
    def __init__(self, nin: int, name: str, rng: random.Random) -> None:
        self.name = name
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __call__(self, xs: list) -> Value:
        with module_scope(self):
            return (dot(self.w, xs) + self.b).tanh()


class Layer:
    def __init__(self, nin: int, nout: int, name: str, rng: random.Random) -> None:
        self.name = name
        self.neurons = [Neuron(nin, f"neuron {k + 1}", rng) for k in range(nout)]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __call__(self, xs: list) -> list[Value]:
        with module_scope(self):
            return [n(xs) for n in self.neurons]


class MLP:
    def __init__(self, nin: int, nouts: list[int], seed: int = 0) -> None:
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        self.name = "mlp"
        self.layers = [
            Layer(sizes[k], sizes[k + 1], f"layer {k + 1}", rng) for k in range(len(nouts))
        ]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __call__(self, xs: list) -> Value:
        with module_scope(self):
            for layer in self.layers:
                xs = layer(xs)
            return xs[0] if len(xs) == 1 else xs
