"""What users run at full size, in one process with torch imported: ``nn.fit`` against PyTorch,
compile time against width, and the cost of ``fit(live=True)``.

Run by ``benchmarks/run.py`` in its own subprocess; prints one JSON object on its last line.
The measuring functions are not written here: ``bench_fit.py`` (``nn.fit(compiled=True)``
against the same PyTorch loop) and ``bench_live.py`` (the live view) own them; this file calls
them with the sizes of the benchmark table.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

import torch

THREADS = int(os.environ.get("BENCH_THREADS", "1"))
torch.set_num_threads(THREADS)


def live(quick: bool) -> dict:
    from bench_live import live_overhead

    return live_overhead(rounds=3 if quick else 7)


def fit(quick: bool) -> dict:
    """``bench_fit.table(quick)``: the fit and compile figures, when bench_fit.py is there."""
    if importlib.util.find_spec("bench_fit") is None:
        return {"missing": "benchmarks/bench_fit.py is not there yet"}
    import bench_fit

    return bench_fit.table(quick)


def main() -> None:
    quick = "--quick" in sys.argv
    out = {"torch": torch.__version__, "threads": THREADS}
    out["live"] = live(quick)
    out["fit"] = fit(quick)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
