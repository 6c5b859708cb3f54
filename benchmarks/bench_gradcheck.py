"""gradcheck on the loss of a 2-16-16-1 MLP as a function of its 337 parameters:
``mode="random"`` (one random direction, two evaluations) against ``mode="full"`` (two
evaluations per parameter).

    .venv/bin/python benchmarks/bench_gradcheck.py [--repeats 5]

Prints the CPU-time median of each mode (alternating runs) and their ratio. Not part of
``make bench``: it times a check, not training.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from collections.abc import Callable

from autograd import Value, affine, gradcheck
from nn.data import make_moons

SIZES = (2, 16, 16, 1)


def parameter_count(sizes: tuple[int, ...] = SIZES) -> int:
    return sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))


def mlp_loss(rows: list[list[float]], targets: list[float]) -> Callable[..., Value]:
    """f(*parameters) -> mean squared error of the MLP with those weights on (rows, targets)."""

    def f(*parameters: Value) -> Value:
        flat = iter(parameters)
        layers = []
        for n_in, n_out in itertools.pairwise(SIZES):
            layers.append([([next(flat) for _ in range(n_in)], next(flat)) for _ in range(n_out)])
        total = 0.0
        for row, target in zip(rows, targets):
            activations: list = list(row)
            for depth, layer in enumerate(layers):
                outs = [affine(w, activations, b) for w, b in layer]
                activations = [o.tanh() for o in outs] if depth < len(layers) - 1 else outs
            total = total + (activations[0] - target) ** 2
        return total / len(rows)

    return f


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--samples", type=int, default=8)
    args = parser.parse_args()
    X, labels = make_moons(args.samples, noise=0.1, seed=0)
    f = mlp_loss(X.tolist(), [2.0 * v - 1.0 for v in labels.tolist()])
    rng = random.Random(0)
    point = [rng.uniform(-0.5, 0.5) for _ in range(parameter_count())]
    times: dict[str, list[float]] = {"random": [], "full": []}
    for _ in range(args.repeats):
        for mode in ("random", "full"):  # alternating, so load on the machine hits both
            start = time.process_time()
            assert gradcheck(f, point, mode=mode)
            times[mode].append(time.process_time() - start)
    medians = {mode: statistics.median(t) for mode, t in times.items()}
    print(
        f"gradcheck of a {'-'.join(map(str, SIZES))} MLP's MSE on {args.samples} moons samples "
        f"({len(point)} parameters), CPU-time median of {args.repeats} alternating runs:"
    )
    for mode, seconds in medians.items():
        print(f"  mode={mode!r:9} {seconds * 1000:9.1f} ms")
    print(f"  full / random = {medians['full'] / medians['random']:.0f}x")


if __name__ == "__main__":
    main()
