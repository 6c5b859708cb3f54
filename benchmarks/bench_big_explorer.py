"""One nudge of the big explorer (``viz.explore`` above 300 Values) on ~60,000 Values, timed in
headless Chromium: the page's own ``performance.now()`` around the recompute (forward, backward
and the nudged leaf's finite difference), median of alternating nudges up and down.

Prints one JSON line: {"available", "values", "export_s", "nudge_ms", "first_ms", "limit_ms"}.
Without Playwright or Chromium, "available" is false and no time is given.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import autograd
import nn
from autograd import topological_order, viz
from autograd.viz.big_explorer import BigExplorerPage

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LIMIT_MS = 100.0


def loss_of(batch: int) -> autograd.Value:
    """Mean squared error of an 8-16-16-1 nn.MLP over ``batch`` samples (~78 Values each)."""
    model = nn.MLP(8, [16, 16, 1], seed=0)
    rng = random.Random(0)
    X = [[rng.uniform(-1, 1) for _ in range(8)] for _ in range(batch)]
    y = [rng.choice([-1.0, 1.0]) for _ in range(batch)]
    return autograd.sum([(model(x) - t) ** 2 for x, t in zip(X, y)]) / batch


def main() -> None:
    quick = "--quick" in sys.argv
    nudges = 5 if quick else 21
    begin = time.perf_counter()
    loss = loss_of(770)
    with tempfile.TemporaryDirectory() as folder:
        path = viz.to_html(BigExplorerPage(loss), Path(folder) / "big.html")
        export_s = time.perf_counter() - begin
        result = {
            "available": False,
            "values": len(topological_order(loss)),
            "export_s": export_s,
            "limit_ms": LIMIT_MS,
        }
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            print(json.dumps(result))
            return
        if not Path(CHROMIUM).exists():
            print(json.dumps(result))
            return
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
            )
            page = browser.new_page()
            page.goto(path.as_uri(), wait_until="load")
            times = page.evaluate(
                """(count) => {
                    const e = document.getElementById('explorer').explorer;
                    const leaf = e.editable.find((i) => e.labels[i] === 'w0');
                    e.pick(leaf);
                    const out = [];
                    for (let k = 0; k < count; k++) {
                        e.nudge(leaf, e.data[leaf] + (k % 2 ? -0.01 : 0.01));
                        out.push(Number(e.el.dataset.nudgeMs));
                    }
                    return out;
                }""",
                nudges,
            )
            browser.close()
    result.update(available=True, nudge_ms=statistics.median(times), first_ms=times[0])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
