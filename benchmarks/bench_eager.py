"""Eager Values and compiled programs against micrograd, in a process without torch.

Run by ``benchmarks/run.py`` in its own subprocess (``import torch`` alone shifts these
figures); prints one JSON object on its last line.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import sys
import time
import tracemalloc

from common import (
    MLP,
    alternate,
    compiled_step_factory,
    moons,
    nn_step_factory,
    sgd,
    training_loop,
    zero_grad,
)

import autograd
from autograd import Value

CHAIN = 1_000_000


# -- the moons demo step, four ways: nn (what users run), engine-only, compiled, micrograd ----


def eager_step_factory():
    X, y = moons()
    model = MLP(2, [16, 16, 1], scale=1.0)
    params = model.parameters()

    def step() -> float:
        scores = [model([Value(a), Value(b)])[0] for a, b in X]
        losses = [(1.0 - label * score).relu() for label, score in zip(y, scores, strict=True)]
        data_loss = autograd.sum(losses) * (1.0 / len(losses))
        total = data_loss + 1e-4 * autograd.sum([p * p for p in params])
        zero_grad(params)
        total.backward()
        sgd(params)
        return total.data

    return step


def micrograd_step_factory():
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP

    X, y = moons()
    random.seed(1337)
    model = MicroMLP(2, [16, 16, 1])
    params = model.parameters()

    def step() -> float:
        inputs = [[MicroValue(a), MicroValue(b)] for a, b in X]
        scores = [model(x) for x in inputs]
        losses = [(1 + -label * score).relu() for label, score in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + 1e-4 * sum(p * p for p in params)
        model.zero_grad()
        total.backward()
        for p in params:
            p.data -= 0.05 * p.grad
        return total.data

    return step


def same_loss_check() -> dict:
    """Eager, compiled and nn take the same steps: their losses agree over five steps."""
    eager, compiled, through_nn = eager_step_factory(), compiled_step_factory(), nn_step_factory()
    losses = [(eager(), compiled(), through_nn()) for _ in range(5)]
    return {
        "max_difference_5_steps": max(abs(a - b) for a, b, _ in losses),
        "nn_max_difference_5_steps": max(abs(a - c) for a, _, c in losses),
    }


def fit_epoch_factory():
    """``nn.fit`` eager (path ``nn.fit``): one epoch of the moons data in one batch of 100, hinge
    loss, SGD 0.05, so one call is one step like the others (without the L2 term)."""
    import numpy as np

    import nn

    X, y = moons()
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    for p, q in zip(model.parameters(), MLP(2, [16, 16, 1], scale=1.0).parameters(), strict=True):
        p.data = q.data
    optimizer = nn.SGD(model.parameters(), lr=0.05)
    X_array, y_array = np.array(X), np.array(y)

    def epoch() -> float:
        history = nn.fit(
            model, X_array, y_array, loss="hinge", optimizer=optimizer, epochs=1,
            batch_size=len(X), progress=False,
        )  # fmt: skip
        return history.loss[-1]

    return epoch


# -- how the nn step grows with samples and with width ---------------------------------------

SCALING_SAMPLES = (25, 50, 100, 200, 400)
SCALING_WIDTHS = (8, 16, 32, 64, 128)


def nn_scaling(rounds: int) -> dict:
    """Median seconds of the ``nn.MLP`` moons step (nn's own init, default GC) for a growing
    number of samples at width 16, and a growing width (2-w-w-1) at 100 samples."""
    import nn

    def data(n: int) -> tuple[list[list[float]], list[float]]:
        X, y = nn.data.make_moons(n, noise=0.1, seed=1)
        return X.tolist(), [float(2 * t - 1) for t in y]

    contenders = {}
    for n in SCALING_SAMPLES:
        contenders[f"samples {n}"] = nn_step_factory(*data(n), width=16, engine_weights=False)
    for width in SCALING_WIDTHS:
        contenders[f"width {width}"] = nn_step_factory(*data(100), width, engine_weights=False)
    times = alternate(contenders, rounds=rounds, block_seconds=0.05)
    weights = {width: 2 * width + width * width + width for width in SCALING_WIDTHS}
    return {"times": times, "weights": weights}


# -- a chain of a million nodes ---------------------------------------------------------------


def chain_run(kind: str, collector: bool) -> tuple[float, float, float, float]:
    """Seconds per op, forward and backward (wall, then CPU), for y = y + 1e-6 (a Constant
    per op) or y = y * c (c one shared Value)."""
    gc.collect()
    if not collector:
        gc.disable()
    try:
        x = Value(0.5)
        c = Value(1.0 + 1e-7)
        y = x
        start, start_cpu = time.perf_counter(), time.process_time()
        if kind == "add":
            for _ in range(CHAIN):
                y = y + 1e-6
        else:
            for _ in range(CHAIN):
                y = y * c
        middle, middle_cpu = time.perf_counter(), time.process_time()
        y.backward()
        end, end_cpu = time.perf_counter(), time.process_time()
        assert x.grad > 0.0
        del y
    finally:
        gc.enable()
    return (
        (middle - start) / CHAIN,
        (end - middle) / CHAIN,
        (middle_cpu - start_cpu) / CHAIN,
        (end_cpu - middle_cpu) / CHAIN,
    )


def chains() -> dict:
    results = {}
    for kind in ("add", "mul"):
        for collector in (True, False):
            runs = [chain_run(kind, collector) for _ in range(3)]
            results[f"{kind}_{'gc' if collector else 'nogc'}"] = {
                "forward_ns": statistics.median(r[0] for r in runs) * 1e9,
                "backward_ns": statistics.median(r[1] for r in runs) * 1e9,
                "forward_cpu_ns": statistics.median(r[2] for r in runs) * 1e9,
                "backward_cpu_ns": statistics.median(r[3] for r in runs) * 1e9,
            }
    return results


def micrograd_chain() -> str:
    from micrograd.engine import Value as MicroValue

    y = MicroValue(0.5)
    for _ in range(10_000):
        y = y + 1e-6
    try:
        y.backward()
    except RecursionError:
        return "RecursionError at 10,000 nodes"
    return "ok at 10,000 nodes"


# -- memory -----------------------------------------------------------------------------------


def bytes_per_value() -> dict:
    """tracemalloc: bytes held by a graph divided by the Values in it."""
    from micrograd.engine import Value as MicroValue

    results = {}

    def measure(build):
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        graph, count = build()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del graph
        return (after - before) / count

    def ours_chain():
        y = Value(0.5)
        for _ in range(100_000):
            y = y + 1e-6
        return y, 200_001  # each op node and its Constant

    def micro_chain():
        y = MicroValue(0.5)
        for _ in range(100_000):
            y = y + 1e-6
        return y, 200_001

    results["chain_ours"] = measure(ours_chain)
    results["chain_micrograd"] = measure(micro_chain)

    X, y = moons()
    model = MLP(2, [16, 16, 1], scale=1.0)

    def ours_moons():
        scores = [model([Value(a), Value(b)])[0] for a, b in X]
        total = autograd.sum([(1.0 - t * s).relu() for t, s in zip(y, scores, strict=True)])
        nodes = autograd.topological_order(total)
        count = sum(1 for v in nodes if v.op) + 200 + 100 + 100 + 1  # new nodes + constants
        return total, count

    from micrograd.nn import MLP as MicroMLP

    micro_model = MicroMLP(2, [16, 16, 1])

    def micro_moons():
        inputs = [[MicroValue(a), MicroValue(b)] for a, b in X]
        scores = [micro_model(x) for x in inputs]
        total = sum((1 + -t * s).relu() for t, s in zip(y, scores, strict=True))
        seen: set = set()
        stack = [total]
        while stack:
            v = stack.pop()
            if v not in seen:
                seen.add(v)
                stack.extend(v._prev)
        params = len(micro_model.parameters())
        return total, len(seen) - params + 1  # new Values (the int 0 of sum() is one more)

    results["moons_forward_ours"] = measure(ours_moons)
    results["moons_forward_micrograd"] = measure(micro_moons)
    return results


def main() -> None:
    fast = "--quick" in sys.argv
    rounds_slow = 3 if fast else 5
    demo_context = "--like-demo" in sys.argv
    if demo_context:
        # micrograd's demo notebook imports sklearn (for make_moons) and numpy; a bigger heap
        # makes every full collection of the cyclic garbage collector slower.
        import sklearn.datasets  # noqa: F401
    out: dict = {
        "python": sys.version.split()[0],
        "imported": {m: m in sys.modules for m in ("torch", "sklearn", "numpy", "micrograd")},
    }
    out["check"] = same_loss_check()
    contenders = {
        "micrograd": micrograd_step_factory(),
        "nn": nn_step_factory(),
        "eager": eager_step_factory(),
        "compiled": compiled_step_factory(),
    }
    out["moons_gc"] = alternate(contenders, rounds=rounds_slow)
    loop = {name: contenders[name] for name in ("micrograd", "nn", "eager")}
    out["moons_loop"] = training_loop(loop, rounds=rounds_slow)
    if demo_context:  # only the default-GC figures are wanted in the demo's context
        print(json.dumps(out))
        return
    out["moons_nogc"] = alternate(contenders, rounds=rounds_slow + 2, collector=False)
    # nn against the engine-only step: the target is a ratio of 1.15, so more rounds.
    out["nn_vs_engine"] = alternate(
        {"nn": contenders["nn"], "eager": contenders["eager"]}, rounds=3 * rounds_slow
    )
    out["fit_epoch"] = alternate({"fit": fit_epoch_factory(), "nn": contenders["nn"]}, rounds=5)
    out["nn_scaling"] = nn_scaling(rounds=3)
    out["chain"] = chains()
    out["micrograd_chain"] = micrograd_chain()
    out["bytes_per_value"] = bytes_per_value()
    out["imported_at_end"] = {m: m in sys.modules for m in ("torch", "sklearn", "numpy")}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
