"""What ``fit(live=...)`` costs: a compiled moons run with and without the live view.

``live_overhead()`` returns the CPU-time medians of both runs (alternating, as every benchmark
here), their difference as a fraction (for information: on a shared machine two identical runs
differ by up to a third), and the overhead the verdict reads: the seconds the view spends
redrawing (``LiveView.seconds``, timed inside the run) over the plain run's median. The live
view's picture is built in full on every redraw (the SVG, the boundary grid through the
compiled model); only Jupyter's sending it to the page is left out, as no page is there.
Run alone: ``python benchmarks/bench_live.py``.
"""

from __future__ import annotations

import statistics

from common import alternate

import nn
from nn.data import make_moons
from nn.live import LiveView

LIMIT = 0.10  # the live view may add at most 10 % to a compiled moons run


def moons_run(live: LiveView | None) -> None:
    """The demo's run: MLP(2, [16, 16, 1]) on 300 moons, Adam, 50 epochs of batches of 20."""
    X, y = make_moons(300, noise=0.1, seed=0)
    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=0)
    optimizer = nn.Adam(model.parameters(), lr=0.02)
    nn.fit(model, X, y, loss="bce_logits", optimizer=optimizer, epochs=50, batch_size=20,
           compiled=True, progress=False, live=live or False)  # fmt: skip


def live_overhead(rounds: int = 7) -> dict:
    """CPU seconds per compiled moons run, plain and live, and the live view's overhead."""
    views: list[LiveView] = []

    def live() -> None:
        views.append(LiveView(show=lambda svg, network: None))
        moons_run(views[-1])

    times = alternate({"plain": lambda: moons_run(None), "live": live}, rounds=rounds)
    plain, with_view = times["plain"]["cpu"], times["live"]["cpu"]
    redrawing = statistics.median(view.seconds for view in views)
    return {
        "plain_s": plain,
        "live_s": with_view,
        "difference": with_view / plain - 1.0,
        "redraw_s": redrawing,
        "overhead": redrawing / plain,
        "refreshes_per_run": views[-1].refreshes,
        "limit": LIMIT,
    }


if __name__ == "__main__":
    result = live_overhead()
    print(
        f"compiled moons run: {result['plain_s'] * 1e3:.0f} ms plain, "
        f"{result['live_s'] * 1e3:.0f} ms with live=True ({result['refreshes_per_run']} redraws, "
        f"{result['redraw_s'] * 1e3:.0f} ms redrawing): overhead {result['overhead']:+.1%} "
        f"(limit {LIMIT:.0%}; the runs differ by {result['difference']:+.1%}), CPU-time medians"
    )
