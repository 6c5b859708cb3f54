"""What users run at full size, in one process with torch imported: ``nn.fit(compiled=True)``
epochs against the same PyTorch loop, its compile time against width, and the cost of
``fit(live=True)``.

Run by ``benchmarks/run.py`` in its own subprocess; prints one JSON object on its last line.
The measuring functions live with their owners: ``bench_fit.py`` (epochs of ``fit`` and of the
PyTorch loop, compile time and memory) and ``bench_live.py`` (the live view). This file calls
them with the table's sizes: the two networks on 12,800 rows (``bench_fit.table``), the notes'
784-16-16-10 on all 60,000 Fashion-MNIST training images, and compile time for widths 16 to 512.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import sys
from types import ModuleType

import torch

THREADS = int(os.environ.get("BENCH_THREADS", "1"))
torch.set_num_threads(THREADS)

COMPILE_WIDTHS = (16, 32, 64, 128, 256, 512)
FASHION_NETWORK = [16, 16, 10]


def fashion_epochs(bench_fit: ModuleType, rounds: int) -> dict:
    """CPU seconds per epoch on all 60,000 Fashion-MNIST training images, 784-16-16-10: ours
    (float64 and float32) as T(2 epochs) - T(1 epoch) (the compile cancels), PyTorch f64 and
    f32 one epoch each."""
    import nn

    try:
        pixels, labels = nn.data.load_fashion_mnist()
    except (OSError, ValueError) as error:  # not installed and no network: say so
        return {"missing": f"Fashion-MNIST not available ({error})"}
    sizes = FASHION_NETWORK
    ours, ours32, f64, f32 = [], [], [], []
    for _ in range(rounds):  # alternating
        ours.append(bench_fit.epoch_seconds(sizes, pixels, labels, 1))
        ours32.append(bench_fit.epoch_seconds(sizes, pixels, labels, 1, "float32"))
        f64.append(bench_fit.torch_seconds(sizes, pixels, labels, 1, torch.float64))
        f32.append(bench_fit.torch_seconds(sizes, pixels, labels, 1, torch.float32))
    return {
        "network": "784-" + "-".join(map(str, sizes)),
        "images": len(pixels),
        "ours_s": statistics.median(ours),
        "ours_f32_s": statistics.median(ours32),
        "torch_f64_s": statistics.median(f64),
        "torch_f32_s": statistics.median(f32),
        "target_f32": bench_fit.TARGET_F32,
    }


def compile_by_width(bench_fit: ModuleType, widths: tuple[int, ...]) -> list[dict]:
    """``fit(epochs=0, compiled=True)`` CPU seconds (trace, compile, set up) for 784-w-w-10."""
    pixels, labels, _ = bench_fit.data(bench_fit.BATCH)
    out = []
    for width in widths:
        sizes = [width, width, 10]
        out.append({
            "width": width,
            "seconds": bench_fit.compile_seconds(sizes, pixels, labels, rounds=1),
            "parameters": 784 * width + width + width * width + width + 10 * width + 10,
        })  # fmt: skip
    return out


def fit(quick: bool) -> dict:
    if importlib.util.find_spec("bench_fit") is None:
        return {"missing": "benchmarks/bench_fit.py (its measures) is not there"}
    import bench_fit

    out = bench_fit.table(quick=True)  # three alternating rounds: make bench stays near 10 min
    out["fashion"] = fashion_epochs(bench_fit, rounds=1 if quick else 2)
    out["compile_widths"] = compile_by_width(
        bench_fit, COMPILE_WIDTHS[:4] if quick else COMPILE_WIDTHS
    )
    return out


def live(quick: bool) -> dict:
    from bench_live import live_overhead

    return live_overhead(rounds=3 if quick else 7)


RECORD_CALLS_LIMIT = 2.0  # issue 18: building inside record_calls() costs at most 2x


def record_calls_build(quick: bool) -> dict:
    """One document's loss of examples/scalar_gpt.py built inside ``autograd.record_calls()``
    against the plain build, in this process, alternating, CPU-time medians."""
    from pathlib import Path

    from common import alternate

    import autograd

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    import scalar_gpt

    names = scalar_gpt.load_names()
    tokenizer = scalar_gpt.Tokenizer.from_names(names)
    config = scalar_gpt.Config(tokenizer.vocab_size)
    params = scalar_gpt.Params(config)
    tokens = tokenizer.encode("emmanuel")

    def plain() -> object:
        return scalar_gpt.document_loss(tokens, params, config)

    def recorded() -> object:
        with autograd.record_calls():
            return scalar_gpt.document_loss(tokens, params, config)

    values = len(autograd.topological_order(plain()))
    times = alternate({"plain": plain, "recorded": recorded}, rounds=3 if quick else 7)
    plain_s, recorded_s = times["plain"]["cpu"], times["recorded"]["cpu"]
    return {
        "values": values,
        "plain_s": plain_s,
        "recorded_s": recorded_s,
        "ratio": recorded_s / plain_s,
        "limit": RECORD_CALLS_LIMIT,
    }


def main() -> None:
    quick = "--quick" in sys.argv
    out = {"torch": torch.__version__, "threads": THREADS}
    out["fit"] = fit(quick)
    out["live"] = live(quick)
    out["record_calls"] = record_calls_build(quick)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
