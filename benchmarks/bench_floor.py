"""The floor of a NumPy design: a hand-written NumPy training loop of compiled ``fit``'s math.

The same work per step as ``bench_fit.py``'s ``nn.fit(compiled=True)``: 784-16-16-10 and
784-128-64-10 relu networks, a linear output, the mean cross-entropy over shuffled batches of
128, Adam (lr 1e-3, PyTorch's rule), the loss and the count of right answers read back. Every
array is float64 and contiguous; the backward pass is written out by hand:

    z_l = h_{l-1} W_l^T + b_l,  h_l = relu(z_l);  p = softmax(z_L)
    dL/dz_L = (p - onehot(y)) / B;  dL/dW_l = (dL/dz_l)^T h_{l-1};  dL/db_l = Σ_b dL/dz_l
    dL/dh_{l-1} = dL/dz_l W_l;  dL/dz_{l-1} = dL/dh_{l-1} * [z_{l-1} > 0]

One thread each, CPU-time medians, the two alternating round by round; the ratio is compiled
``fit``'s epoch over the floor's (issue 22: at most 1.1x).

    python benchmarks/bench_floor.py [--quick]
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path

# One BLAS thread, set before NumPy loads OpenBLAS (as bench_fit.py does).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_fit import BATCH, LR, SHAPES, data, epoch_seconds  # noqa: E402

FLOOR_TARGET = 1.1


def floor_seconds(sizes: list[int], pixels: np.ndarray, labels: np.ndarray, epochs: int) -> float:
    """CPU seconds of ``epochs`` epochs of the hand-written NumPy loop."""
    rng = np.random.default_rng(0)
    fans = [784, *sizes]
    weights = [rng.uniform(-1, 1, (o, i)) / np.sqrt(i) for i, o in itertools.pairwise(fans)]
    biases = [np.zeros(o) for o in sizes]
    params = [*weights, *biases]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    step = 0
    gc.collect()
    start = time.process_time()
    for epoch in range(epochs):
        order = np.random.default_rng([0, epoch]).permutation(len(pixels))
        loss_sum, correct = 0.0, 0
        for first in range(0, len(pixels), BATCH):
            chosen = order[first : first + BATCH]
            x, y = pixels[chosen], labels[chosen]
            batch = len(chosen)
            hs, zs = [x], []
            for i, (w, b) in enumerate(zip(weights, biases)):
                z = hs[-1] @ w.T + b
                zs.append(z)
                hs.append(np.maximum(z, 0.0) if i < len(weights) - 1 else z)
            logits = hs[-1]
            shifted = logits - logits.max(axis=1, keepdims=True)
            exp = np.exp(shifted)
            total = exp.sum(axis=1, keepdims=True)
            loss = float(np.mean(np.log(total[:, 0]) - shifted[np.arange(batch), y]))
            g = exp / total
            g[np.arange(batch), y] -= 1.0
            g /= batch
            grads_w, grads_b = [None] * len(weights), [None] * len(weights)
            for i in range(len(weights) - 1, -1, -1):
                grads_w[i] = g.T @ hs[i]
                grads_b[i] = g.sum(axis=0)
                if i:
                    g = (g @ weights[i]) * (zs[i - 1] > 0.0)
            step += 1
            correction1, correction2 = 1 - beta1**step, 1 - beta2**step
            for p, gp, mp, vp in zip(params, [*grads_w, *grads_b], m, v):
                mp *= beta1
                mp += (1 - beta1) * gp
                vp *= beta2
                vp += (1 - beta2) * gp * gp
                p -= LR * (mp / correction1) / (np.sqrt(vp / correction2) + eps)
            loss_sum += loss * batch
            correct += int(np.count_nonzero(logits.argmax(axis=1) == y))
    return time.process_time() - start


def floor_ratios(pixels: np.ndarray, labels: np.ndarray, rounds: int, extra: int = 3) -> dict:
    out = {}
    for name, sizes in SHAPES.items():
        ours, floor = [], []
        for _ in range(rounds):  # alternating
            ours.append(epoch_seconds(sizes, pixels, labels, extra))
            floor.append(floor_seconds(sizes, pixels, labels, extra) / extra)
        ours_s, floor_s = statistics.median(ours), statistics.median(floor)
        out[name] = {
            "ours_s": ours_s,
            "floor_s": floor_s,
            "ratio": ours_s / floor_s,
            "target": FLOOR_TARGET,
        }
    return out


def table(quick: bool = False) -> dict:
    pixels, labels, source = data()
    labels = np.asarray(labels, dtype=np.intp)
    return {
        "data": source,
        "rows": len(pixels),
        "floor": floor_ratios(pixels, labels, 3 if quick else 7),
    }


def main() -> None:
    result = table("--quick" in sys.argv)
    for name, r in result["floor"].items():
        print(
            f"{name}: compiled fit epoch {r['ours_s'] * 1e3:.0f} ms, NumPy floor "
            f"{r['floor_s'] * 1e3:.0f} ms ({r['ratio']:.2f}x, target <= {r['target']}x)"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
