"""Shared pieces of the benchmarks: alternating timing, the data, small networks of Values.

Each figure names its path. *Engine-only* figures use the few-line networks here, built from
``autograd.affine`` directly (for diagnosis: they do not move when ``nn`` changes). The
headline figures time what users run: ``nn.MLP`` with ``nn`` losses and optimizers
(:func:`nn_step_factory`) and ``nn.fit``.
"""

from __future__ import annotations

import gc
import json
import math
import os
import random
import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np

import autograd
from autograd import Value, affine

ALPHA = 1e-4  # L2 weight of the moons demo
LEARNING_RATE = 0.05


def _medians(wall: dict[str, list[float]], cpu: dict[str, list[float]]) -> dict:
    """``{name: {"wall": median, "cpu": median}}`` of per-call seconds."""
    return {
        name: {"wall": statistics.median(wall[name]), "cpu": statistics.median(cpu[name])}
        for name in wall
    }


def alternate(
    contenders: dict[str, Callable[[], object]],
    rounds: int = 7,
    block_seconds: float = 0.05,
    collector: bool = True,
) -> dict[str, dict[str, float]]:
    """Median seconds per call of each contender: ``{"wall": ..., "cpu": ...}``.

    Each round runs every contender once in turn (a *block* of as many calls as fill about
    ``block_seconds``), so slow drifts of a shared machine hit all of them alike. ``wall`` is
    ``time.perf_counter``; ``cpu`` is this process's CPU time (``time.process_time``), which
    other processes on a busy machine do not inflate (the benchmarks run single-threaded, so
    on an idle machine the two agree). With ``collector=False`` the cyclic garbage collector
    is off inside every block; a full collection runs between blocks, outside the timing.
    """
    sizes = {}
    for name, call in contenders.items():
        call()  # warm up
        start = time.perf_counter()
        call()
        once = time.perf_counter() - start
        sizes[name] = max(1, min(10_000, int(block_seconds / max(once, 1e-9))))
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, call in contenders.items():
            n = sizes[name]
            gc.collect()
            if not collector:
                gc.disable()
            try:
                start, start_cpu = time.perf_counter(), time.process_time()
                for _ in range(n):
                    call()
                elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            finally:
                gc.enable()
            wall[name].append(elapsed / n)
            cpu[name].append(elapsed_cpu / n)
    return _medians(wall, cpu)


# Steps per timed block of a training loop: micrograd's step takes about a second, ours 20 ms.
LOOP_STEPS = {"micrograd": 3}
LOOP_STEPS_DEFAULT = 30


def training_loop(
    contenders: dict[str, Callable[[], object]], rounds: int = 5
) -> dict[str, dict[str, float]]:
    """Median seconds per step of each contender run as a training loop: ``{"wall", "cpu"}``.

    What a user's ``for k in range(100): step()`` costs, garbage collector included. Each round
    runs every contender in turn: a full collection first (untimed, so no contender pays for
    another's garbage), one untimed step, then a block of steps back to back (``LOOP_STEPS``),
    each finding the previous step's graph turned to garbage, as in a loop. micrograd's graphs
    are reference cycles (each node's backward closure refers to the node), so in a loop its
    collector also frees the previous graphs; ours are freed by reference counting.
    :func:`alternate` times isolated steps instead, each block starting after a full collection.
    """
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, call in contenders.items():
            n = LOOP_STEPS.get(name, LOOP_STEPS_DEFAULT)
            gc.collect()
            call()
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(n):
                call()
            wall[name].append((time.perf_counter() - start) / n)
            cpu[name].append((time.process_time() - start_cpu) / n)
    return _medians(wall, cpu)


def moons(n: int = 100) -> tuple[list[list[float]], list[float]]:
    """The moons demo data: 100 points, labels in {-1, +1} (sklearn's make_moons).

    When ``BENCH_MOONS`` names a JSON file (written by run.py), the points come from it, so
    the eager process need not import sklearn (a bigger heap slows the garbage collector).
    """
    path = os.environ.get("BENCH_MOONS")
    if path:
        with open(path, encoding="utf-8") as file:
            X, y = json.load(file)
        return X, y
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n, noise=0.1, random_state=1)
    return X.tolist(), [float(2 * label - 1) for label in y]


class MLP:
    """Layers of ``activation(affine(w, x, b))`` (w·x + b in one node, as ``nn`` builds a
    neuron), the last layer linear.

    Weights are uniform in (-scale, scale): ``scale=1`` is micrograd's init (the moons demo),
    the default 1/sqrt(fan_in) suits wider inputs.
    """

    def __init__(
        self,
        nin: int,
        sizes: Sequence[int],
        activation: str = "relu",
        seed: int = 0,
        scale: float | None = None,
    ) -> None:
        rng = random.Random(seed)
        self.activation = activation
        self.layers = []
        for fan_in, fan_out in zip([nin, *sizes], sizes, strict=False):
            bound = scale if scale is not None else 1.0 / math.sqrt(fan_in)
            layer = [
                ([Value(rng.uniform(-bound, bound)) for _ in range(fan_in)], Value(0.0))
                for _ in range(fan_out)
            ]
            self.layers.append(layer)

    def parameters(self) -> list[Value]:
        return [v for layer in self.layers for w, b in layer for v in [*w, b]]

    def __call__(self, xs: Sequence[Value | float]) -> list[Value]:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            out = [affine(w, xs, b) for w, b in layer]
            xs = out if i == last else [getattr(v, self.activation)() for v in out]
        return xs  # type: ignore[return-value]


def hinge_plus_l2(score: Value, label: Value | float, params: list[Value]) -> Value:
    """One point's share of the demo loss: relu(1 - y s) + alpha * sum(p^2)."""
    return (1.0 - label * score).relu() + ALPHA * autograd.sum([p * p for p in params])


def cross_entropy(logits: list[Value], one_hot: Sequence[Value]) -> Value:
    """-log softmax(logits)[target] = log sum exp(logits) - sum t_i logit_i (t one-hot)."""
    log_total = autograd.sum([v.exp() for v in logits]).log()
    return log_total - autograd.sum([t * v for t, v in zip(one_hot, logits, strict=True)])


def sgd(params: list[Value], lr: float = LEARNING_RATE) -> None:
    for p in params:
        p.data -= lr * p.grad


def zero_grad(params: list[Value]) -> None:
    for p in params:
        p.grad = 0.0


def compiled_step_factory() -> Callable[[], float]:
    """The moons demo step on the whole batch with autograd.compile (one SGD step a call)."""
    X, y = moons()
    model = MLP(2, [16, 16, 1], scale=1.0)
    params = model.parameters()
    compiled = autograd.compile(lambda v: hinge_plus_l2(model(v[:2])[0], v[2], params), 3)
    batch = np.hstack([np.array(X), np.array(y)[:, None]])

    def step() -> float:
        zero_grad(params)
        loss = compiled.backward(batch)
        sgd(params)
        return loss

    return step


def nn_step_factory(
    X: list[list[float]] | None = None,  # noqa: N803  (the data's usual name)
    y: list[float] | None = None,
    width: int = 16,
    engine_weights: bool = True,
) -> Callable[[], float]:
    """micrograd's moons demo step as a user writes it with ``nn`` (path ``nn.MLP``)::

        model = nn.MLP(2, [16, 16, 1], activation="relu")
        scores = [model(x) for x in X]
        loss = nn.hinge_loss(scores, y) + 1e-4 * sum(p * p for p in params)
        optimizer.zero_grad(); loss.backward(); optimizer.step()   # nn.SGD(lr=0.05)

    With ``engine_weights`` the weights are those of the engine-only ``MLP(2, [16, 16, 1],
    scale=1.0)`` (micrograd's uniform(-1, 1) init), so both take the same steps and only the
    path differs; without, ``nn``'s own init (seed 0).
    """
    import nn

    if X is None or y is None:
        X, y = moons()
    model = nn.MLP(2, [width, width, 1], activation="relu", seed=0)
    if engine_weights:
        same = MLP(2, [width, width, 1], scale=1.0).parameters()
        for p, q in zip(model.parameters(), same, strict=True):
            p.data = q.data
    params = model.parameters()
    optimizer = nn.SGD(params, lr=LEARNING_RATE)

    def step() -> float:
        scores = [model(x) for x in X]
        loss = nn.hinge_loss(scores, y) + ALPHA * sum(p * p for p in params)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.data

    return step
