"""Modules: a Neuron, a Layer of neurons, and an MLP of layers, all built from `autograd.Value`.

A neuron computes ``a = activation(z)`` with ``z = w1*x1 + ... + wn*xn + b``: one ``affine``
node for the weighted sum and its bias (drawn "Σ w·x + b"), one node for the activation.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterable, Iterator, Sequence
from types import ModuleType
from typing import Any

import autograd
from autograd import OPS, Constant, Op, Value, call_in_scope

from .layer_call import affine_layer
from .torch_bridge import from_torch, to_torch

ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear")
INITS = ("uniform", "xavier", "he")
# Each activation's row in the op table (None: the affine node is the output).
_ACTIVATION_OPS: dict[str, Op | None] = {
    name: OPS[name] if name != "linear" else None for name in ACTIVATIONS
}

Seed = int | random.Random | None


def _rng(seed: Seed | ModuleType) -> random.Random | ModuleType:
    """Where weights are drawn from: a new generator for an int seed; a generator passed in is
    shared, so a model draws one stream; no seed draws from Python's global ``random``, so
    ``random.seed(k)`` reproduces a run."""
    if seed is None or seed is random:
        return random
    return seed if isinstance(seed, random.Random) else random.Random(seed)  # type: ignore[arg-type]


def _check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"
        )
    return activation


_VALUES = frozenset({Value, Constant})


def _as_inputs(x: Sequence[Value | float], nin: int, who: str) -> list[Value]:
    """Numbers become Constants once here, not once per neuron that reads them."""
    if type(x) is list and len(x) == nin and _VALUES.issuperset(map(type, x)):
        return x  # already Values (what a layer hands its neurons): nothing to check
    if isinstance(x, (Value, numbers.Real)) or not hasattr(x, "__len__"):
        raise TypeError(f"{who} expects a list of {nin} numbers or Values, got {type(x).__name__}")
    if len(x) and _is_row(x[0]):
        raise ValueError(
            f"{who} expects one sample of {nin} inputs, got {len(x)} rows of {len(x[0])} "
            "(a 2-D batch): call it on each row, [model(row) for row in X], "
            "or use nn.predict(model, X)"
        )
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}")
    out = list(x)
    for i, v in enumerate(out):
        if not isinstance(v, Value):
            if not isinstance(v, numbers.Real):
                raise TypeError(f"{who}: input {i} must be a number or a Value, got {v!r:.40}")
            out[i] = Constant(float(v), f"x{i}")
    return out


def _is_row(item: object) -> bool:
    """A sequence of numbers where one number was expected (a row of a batch)."""
    return hasattr(item, "__len__") and not isinstance(item, (str, bytes, Value))


def check_state_keys(state: dict, expected: Iterable[str], where: str = "") -> None:
    """Raise ``ValueError`` (prefixed by ``where``) naming the keys of ``state`` that are
    missing from ``expected`` or not in it; at most five of each are listed."""
    expected = dict.fromkeys(expected)  # ordered, with set-speed membership
    for problem, keys in (
        ("is missing", [key for key in expected if key not in state]),
        ("has unexpected", [str(key) for key in state if key not in expected]),
    ):
        if keys:
            shown = ", ".join(keys[:5]) + (", ..." if len(keys) > 5 else "")
            raise ValueError(f"{where}state dict {problem} key(s): {shown}")


class Module:
    """Base of every model: parameters, gradients, state dicts, and calls that are remembered.

    ``module(x)`` runs ``forward(x)`` inside :class:`autograd.core.value.module_scope`, so each
    Value made during the call knows which module made it (drawings box neurons and layers by it).
    """

    name: str = ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return call_in_scope(self, self.forward, *args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    # A module lists its own parameter groups and its child modules; the rest is generic.
    def _own_parameters(self) -> Iterator[tuple[str, Value | list[Value]]]:
        return iter(())

    def _children(self) -> Iterator[tuple[str, Module]]:
        return iter(())

    def _groups(self, prefix: str = "") -> Iterator[tuple[str, Value | list[Value]]]:
        for key, group in self._own_parameters():
            yield prefix + key, group
        for key, child in self._children():
            yield from child._groups(f"{prefix}{key}.")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with a dotted name, e.g. ``layers.0.neurons.3.w.1``."""
        named: list[tuple[str, Value]] = []
        for key, group in self._groups():
            if isinstance(group, Value):
                named.append((key, group))
            else:
                named.extend((f"{key}.{i}", p) for i, p in enumerate(group))
        return named

    def parameters(self) -> list[Value]:
        """Every parameter (weights and biases), in the order of :meth:`named_parameters`."""
        params: list[Value] = []
        for _, group in self._groups():
            if isinstance(group, Value):
                params.append(group)
            else:
                params.extend(group)
        return params

    def network_view(self, **options: Any) -> Any:
        """This model as neurons in layer columns (:func:`nn.network.draw_network`; what
        ``autograd.viz.draw_network(model)`` shows)."""
        from .network import draw_network

        return draw_network(self, **options)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (leaves accumulate across backward passes)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, list[float]]:
        """The numbers of the model: ``{"layers.0.neurons.3.w": [w0, w1], "...b": [b], ...}``."""
        return {
            key: [group.data] if isinstance(group, Value) else [p.data for p in group]
            for key, group in self._groups()
        }

    def load_state_dict(self, state: dict[str, Sequence[float]]) -> None:
        """Copy the numbers of ``state`` into the parameters.

        Everything is checked first: a missing or unexpected key, a wrong length or a value that
        is not a finite number raises ``ValueError`` naming it, and the model is left unchanged.
        """
        if not isinstance(state, dict):
            raise ValueError(f"state dict must be a dict, got {type(state).__name__}")
        groups = dict(self._groups())
        check_state_keys(state, groups)
        updates: list[tuple[Value, float]] = []
        for key, group in groups.items():
            params = [group] if isinstance(group, Value) else group
            numbers_in = state[key]
            if isinstance(numbers_in, (str, bytes, dict)) or not hasattr(numbers_in, "__len__"):
                raise ValueError(
                    f"state dict key {key!r} must be a list of numbers, "
                    f"got {type(numbers_in).__name__}"
                )
            if len(numbers_in) != len(params):
                raise ValueError(
                    f"state dict key {key!r} has {len(numbers_in)} number(s), "
                    f"expected {len(params)}"
                )
            for i, (p, number) in enumerate(zip(params, numbers_in, strict=True)):
                ok = isinstance(number, numbers.Real) and not isinstance(number, bool)
                if ok and isinstance(number, numbers.Integral):
                    ok = abs(number) <= 2**1023  # a larger int has no float
                if not ok or not math.isfinite(number):
                    raise ValueError(
                        f"state dict key {key!r}[{i}] must be a finite number, got {number!r}"
                    )
                updates.append((p, float(number)))
        for p, number in updates:
            p.data = number


class Neuron(Module):
    """``a = activation(w1*x1 + ... + wn*xn + b)``.

    Weights start random: ``init="uniform"`` draws from U(-1/sqrt(nin), 1/sqrt(nin));
    ``"xavier"`` from U(-sqrt(6/(nin + fan_out)), +sqrt(6/(nin + fan_out))) (suits tanh and
    sigmoid); ``"he"`` from N(0, 2/nin) (suits relu). The bias starts at 0.
    """

    def __init__(
        self,
        nin: int,
        activation: str = "tanh",
        seed: Seed = None,
        *,
        init: str = "uniform",
        fan_out: int = 1,
    ) -> None:
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Neuron needs nin >= 1 inputs, got {nin!r}")
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
        self.activation = _check_activation(activation)
        self.init = init
        rng = _rng(seed)
        if init == "he":
            weights = [rng.gauss(0.0, math.sqrt(2.0 / nin)) for _ in range(nin)]
        else:
            bound = math.sqrt(6.0 / (nin + fan_out)) if init == "xavier" else 1.0 / math.sqrt(nin)
            weights = [rng.uniform(-bound, bound) for _ in range(nin)]
        self.w = [Value(w, label=f"w{i}") for i, w in enumerate(weights)]
        self.b = Value(0.0, label="b")

    @property
    def nin(self) -> int:
        return len(self.w)

    def _own_parameters(self) -> Iterator[tuple[str, Value | list[Value]]]:
        yield "w", self.w
        yield "b", self.b

    def forward(self, x: Sequence[Value | float]) -> Value:
        x = _as_inputs(x, self.nin, self.name or "Neuron")
        z = autograd.affine(self.w, x, self.b)
        z.label = "z"
        if self.activation == "linear":
            return z
        a = getattr(z, self.activation)()
        a.label = "a"
        return a

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons that read the same ``nin`` inputs; returns a list of ``nout`` Values."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "tanh",
        seed: Seed = None,
        *,
        init: str = "uniform",
    ) -> None:
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(f"Layer needs nout >= 1 neurons, got {nout!r}")
        rng = _rng(seed)
        self.neurons = [Neuron(nin, activation, rng, init=init, fan_out=nout) for _ in range(nout)]
        for i, neuron in enumerate(self.neurons):
            neuron.name = f"neuron {i}"
        self.activation = activation

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    def _children(self) -> Iterator[tuple[str, Module]]:
        for i, neuron in enumerate(self.neurons):
            yield f"neurons.{i}", neuron

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        """Each neuron on ``x``: the same nodes, in the same neuron scopes, as ``neuron(x)``
        for each neuron, made by one fast call for the layer (the scope is paid per layer)."""
        x = _as_inputs(x, self.nin, self.name or "Layer")
        nin = len(x)
        rows = [
            (neuron, neuron.w, neuron.b, _ACTIVATION_OPS[neuron.activation])
            for neuron in self.neurons
            if type(neuron) is Neuron and len(neuron.w) == nin
        ]
        if len(rows) != len(self.neurons):  # a neuron of another kind, or reshaped: one by one
            return [neuron(x) for neuron in self.neurons]
        return affine_layer(rows, x)

    def __len__(self) -> int:
        return len(self.neurons)

    def __getitem__(self, index: int) -> Neuron:
        return self.neurons[index]

    def __iter__(self) -> Iterator[Neuron]:
        return iter(self.neurons)

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": len(self.neurons), "activation": self.activation}

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {len(self.neurons)}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: layers of sizes ``nouts`` applied in turn to ``nin`` inputs.

    Hidden layers use ``activation`` (one name, or one per hidden layer), the last layer uses
    ``output_activation``. The same ``seed`` gives the same weights. Calling the model returns a
    Value when the last layer has one neuron, else a list of Values.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | Sequence[str] = "tanh",
        output_activation: str = "linear",
        seed: Seed = None,
        *,
        init: str = "uniform",
    ) -> None:
        if isinstance(nouts, (int, str)) or not nouts:
            raise ValueError(f"MLP needs a non-empty list of layer sizes, got {nouts!r}")
        nouts = list(nouts)
        hidden = len(nouts) - 1
        if isinstance(activation, str):
            activations = [activation] * hidden
        else:
            activations = list(activation)
            if len(activations) != hidden:
                raise ValueError(
                    f"MLP has {hidden} hidden layer(s) but {len(activations)} activations"
                )
        activations.append(output_activation)
        rng = _rng(seed)
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activations[i], rng, init=init) for i in range(len(nouts))
        ]
        for i, layer in enumerate(self.layers):
            layer.name = f"layer {i}"
        self.init = init

    @property
    def nin(self) -> int:
        return self.layers[0].nin

    @property
    def nouts(self) -> list[int]:
        return [len(layer.neurons) for layer in self.layers]

    @property
    def activations(self) -> list[str]:
        return [layer.activation for layer in self.layers]

    def _children(self) -> Iterator[tuple[str, Module]]:
        for i, layer in enumerate(self.layers):
            yield f"layers.{i}", layer

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = _as_inputs(x, self.nin, self.name or "MLP")
        for layer in self.layers:
            out = layer(out)
        return out[0] if len(out) == 1 else out

    def config(self) -> dict[str, Any]:
        return {
            "nin": self.nin,
            "nouts": self.nouts,
            "activation": self.activations[:-1],
            "output_activation": self.activations[-1],
        }

    def to_torch(self) -> Any:
        """An equivalent ``torch.nn.Sequential`` in float64 with the same weights."""
        return to_torch(self)

    @classmethod
    def from_torch(cls, sequential: Any) -> MLP:
        """The MLP equal to a ``torch.nn.Sequential`` of Linear layers and activations."""
        return from_torch(sequential, cls)

    def __repr__(self) -> str:
        hidden = self.activations[:-1]
        shown = hidden[0] if len(set(hidden)) == 1 else hidden  # [] for a single layer
        return (
            f"MLP({self.nin}, {self.nouts}, activation={shown!r}, "
            f"output_activation={self.activations[-1]!r})"
        )
