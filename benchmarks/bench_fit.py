"""``nn.fit(compiled=True)`` against the same PyTorch loop, and the time ``fit`` spends compiling.

What users run: ``nn.fit(model, X, y, loss="cross_entropy", optimizer=Adam(lr=1e-3),
batch_size=128, compiled=True)`` on 12,800 rows of 784 pixels, against a PyTorch loop doing the
same work per step (shuffled batches, forward, cross-entropy, backward, Adam, the loss and the
count of right answers read back). One thread each; ours and PyTorch in float64, and ours with
``dtype="float32"`` against PyTorch float32; CPU-time medians, the contenders alternating round
by round.

* An epoch of ``fit`` is (T(1 + E epochs) - T(1 epoch)) / E: the compile both runs pay cancels.
* Compile: ``fit(..., epochs=0)`` on 784-256-256-10 (trace, compile and set up, no step), and
  the memory it allocates at its peak per parameter (tracemalloc, in a separate run).

The data are Fashion-MNIST's first 12,800 training images when Debian's dataset-fashion-mnist
is installed, else random pixels and labels (the time does not depend on the numbers).

    python benchmarks/bench_fit.py [--quick]
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

# One BLAS thread, like torch.set_num_threads(1) below (set before NumPy loads OpenBLAS; on a
# busy machine its threads make a 784x16 product ten times slower).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nn  # noqa: E402
from nn import MLP, Adam  # noqa: E402

torch.set_num_threads(1)

ROWS, BATCH, LR = 12_800, 128, 1e-3
SHAPES = {"784-16-16-10": [16, 16, 10], "784-128-64-10": [128, 64, 10]}
TARGETS = {"784-16-16-10": 1.0, "784-128-64-10": 1.3}  # issue 12: at most this x PyTorch f64
TARGET_F32 = 1.0  # issue 22: float32 fit at most this x PyTorch f32, at both sizes
COMPILE_SHAPE, COMPILE_TARGET_S = [256, 256, 10], 2.0


def data(rows: int = ROWS) -> tuple[np.ndarray, np.ndarray, str]:
    try:
        pixels, labels = nn.data.load_fashion_mnist(limit=rows)
        return np.asarray(pixels, dtype=np.float64), np.asarray(labels), "Fashion-MNIST (Debian)"
    except Exception:  # no files and no network: synthetic pixels
        rng = np.random.default_rng(0)
        return rng.random((rows, 784)), rng.integers(0, 10, rows), "random pixels"


def model(sizes: list[int]) -> MLP:
    return MLP(784, sizes, activation="relu", seed=0)


def fit_seconds(
    sizes: list[int], pixels: np.ndarray, labels: np.ndarray, epochs: int, dtype: str = "float64"
) -> float:
    """CPU seconds of one ``nn.fit(compiled=True, dtype=dtype)`` call (compile included)."""
    net = model(sizes)
    optimizer = Adam(net.parameters(), lr=LR)
    gc.collect()
    start = time.process_time()
    nn.fit(net, pixels, labels, loss="cross_entropy", optimizer=optimizer, epochs=epochs,
           batch_size=BATCH, progress=False, compiled=True, dtype=dtype)  # fmt: skip
    return time.process_time() - start


def torch_net(sizes: list[int], dtype: torch.dtype) -> torch.nn.Sequential:
    layers: list[torch.nn.Module] = []
    fan_in = 784
    for i, fan_out in enumerate(sizes):
        layers.append(torch.nn.Linear(fan_in, fan_out, dtype=dtype))
        if i < len(sizes) - 1:
            layers.append(torch.nn.ReLU())
        fan_in = fan_out
    return torch.nn.Sequential(*layers)


def torch_seconds(sizes: list[int], pixels: np.ndarray, labels: np.ndarray, epochs: int,
                  dtype: torch.dtype) -> float:  # fmt: skip
    """CPU seconds of ``epochs`` epochs of the equivalent PyTorch loop."""
    torch.manual_seed(0)
    net = torch_net(sizes, dtype)
    optimizer = torch.optim.Adam(net.parameters(), lr=LR)
    inputs, targets_all = torch.tensor(pixels, dtype=dtype), torch.tensor(labels, dtype=torch.long)
    gc.collect()
    start = time.process_time()
    for epoch in range(epochs):
        order = torch.from_numpy(np.random.default_rng([0, epoch]).permutation(len(pixels)))
        loss_sum, correct = 0.0, 0
        for first in range(0, len(pixels), BATCH):
            chosen = order[first : first + BATCH]
            batch, targets = inputs[chosen], targets_all[chosen]
            optimizer.zero_grad()
            out = net(batch)
            loss = torch.nn.functional.cross_entropy(out, targets)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(chosen)
            correct += int((out.argmax(dim=1) == targets).sum())
    return time.process_time() - start


def epoch_seconds(
    sizes: list[int], pixels: np.ndarray, labels: np.ndarray, extra: int, dtype: str = "float64"
) -> float:
    """CPU seconds per epoch of ``fit``: (T(1 + extra epochs) - T(1 epoch)) / extra."""
    more = fit_seconds(sizes, pixels, labels, 1 + extra, dtype)
    return (more - fit_seconds(sizes, pixels, labels, 1, dtype)) / extra


def epoch_ratios(pixels: np.ndarray, labels: np.ndarray, rounds: int, extra: int = 3) -> dict:
    """Per shape: median CPU seconds per epoch of ours (float64 and float32) and of PyTorch
    f64/f32, and the ratios (ours f64 over PyTorch f64, ours f32 over PyTorch f32)."""
    out = {}
    for name, sizes in SHAPES.items():
        ours, ours32, f64, f32 = [], [], [], []
        for _ in range(rounds):  # alternating, so a drift of the machine hits all alike
            ours.append(epoch_seconds(sizes, pixels, labels, extra))
            ours32.append(epoch_seconds(sizes, pixels, labels, extra, "float32"))
            f64.append(torch_seconds(sizes, pixels, labels, extra, torch.float64) / extra)
            f32.append(torch_seconds(sizes, pixels, labels, extra, torch.float32) / extra)
        ours_s, ours32_s, f64_s, f32_s = (statistics.median(t) for t in (ours, ours32, f64, f32))
        out[name] = {
            "ours_s": ours_s,
            "ours_f32_s": ours32_s,
            "torch_f64_s": f64_s,
            "torch_f32_s": f32_s,
            "ratio_f64": ours_s / f64_s,
            "ratio_f32": ours32_s / f32_s,
            "target_f64": TARGETS[name],
            "target_f32": TARGET_F32,
        }
    return out


def compile_seconds(sizes: list[int], pixels: np.ndarray, labels: np.ndarray, rounds: int) -> float:
    """Median CPU seconds of ``fit(..., epochs=0, compiled=True)``: trace, compile, set up."""
    return statistics.median(fit_seconds(sizes, pixels, labels, 0) for _ in range(rounds))


def compile_memory(sizes: list[int], pixels: np.ndarray, labels: np.ndarray) -> dict:
    """Peak bytes allocated while ``fit`` compiles (tracemalloc), per parameter."""
    net = model(sizes)
    n_params = len(net.parameters())
    optimizer = Adam(net.parameters(), lr=LR)
    gc.collect()
    tracemalloc.start()
    nn.fit(net, pixels, labels, loss="cross_entropy", optimizer=optimizer, epochs=0,
           batch_size=BATCH, progress=False, compiled=True)  # fmt: skip
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"parameters": n_params, "peak_bytes": peak, "bytes_per_parameter": peak / n_params}


def table(quick: bool = False) -> dict:
    pixels, labels, source = data()
    rounds = 3 if quick else 7
    name = "784-" + "-".join(map(str, COMPILE_SHAPE))
    return {
        "data": source,
        "rows": ROWS,
        "batch": BATCH,
        "epochs": epoch_ratios(pixels, labels, rounds),
        "compile": {
            "shape": name,
            "seconds": compile_seconds(COMPILE_SHAPE, pixels[:BATCH], labels[:BATCH], rounds),
            "target_s": COMPILE_TARGET_S,
            **compile_memory(COMPILE_SHAPE, pixels[:BATCH], labels[:BATCH]),
        },
    }


def main() -> None:
    result = table("--quick" in sys.argv)
    print(f"data: {result['data']}, {result['rows']} rows, batch {result['batch']}, Adam, "
          "cross-entropy, one thread, CPU-time medians")  # fmt: skip
    for name, r in result["epochs"].items():
        print(
            f"{name}: epoch ours {r['ours_s'] * 1e3:.0f} ms, PyTorch f64 "
            f"{r['torch_f64_s'] * 1e3:.0f} ms ({r['ratio_f64']:.2f}x, target <= "
            f"{r['target_f64']}x); float32 ours {r['ours_f32_s'] * 1e3:.0f} ms, PyTorch f32 "
            f"{r['torch_f32_s'] * 1e3:.0f} ms ({r['ratio_f32']:.2f}x, target <= "
            f"{r['target_f32']}x)"
        )
    c = result["compile"]
    print(
        f"compile {c['shape']}: {c['seconds']:.2f} s (target <= {c['target_s']} s); "
        f"{c['parameters']} parameters, peak {c['peak_bytes'] / 2**20:.0f} MiB, "
        f"{c['bytes_per_parameter']:.0f} bytes per parameter"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
