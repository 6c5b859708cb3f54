"""One nudge of the big explorer (``viz.explore`` above 300 Values) on ~60,000 Values, timed in
headless Chromium: the page's own ``performance.now()`` around the recompute (forward, backward
and the nudged leaf's finite difference), median of alternating nudges up and down.

Then issue 18's acceptance on our scalar GPT (examples/scalar_gpt.py), one document ("isabella")
recorded with ``record_calls()``: ``draw_dot(loss, collapse="call")`` to SVG, ``viz.explore`` +
``viz.to_html``, the file's size, and the nudge of one weight (``wq[0][0]``) in Chromium.

Prints one JSON line: {"available", "values", "export_s", "nudge_ms", "first_ms", "limit_ms",
"gpt": {"values", "record_s", "draw_s", "export_s", "file_mb", "nudge_ms", "first_ms"}}.
Without Playwright or Chromium, "available" is false and no nudge time is given.
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
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NUDGES = """([label, count]) => {
    const e = document.getElementById('explorer').explorer;
    const leaf = e.editable.find((i) => e.labels[i] === label);
    e.pick(leaf);
    const out = [];
    for (let k = 0; k < count; k++) {
        e.nudge(leaf, e.data[leaf] + (k % 2 ? -0.01 : 0.01));
        out.push(Number(e.el.dataset.nudgeMs));
    }
    return out;
}"""


def loss_of(batch: int) -> autograd.Value:
    """Mean squared error of an 8-16-16-1 nn.MLP over ``batch`` samples (~78 Values each)."""
    model = nn.MLP(8, [16, 16, 1], seed=0)
    rng = random.Random(0)
    X = [[rng.uniform(-1, 1) for _ in range(8)] for _ in range(batch)]
    y = [rng.choice([-1.0, 1.0]) for _ in range(batch)]
    return autograd.sum([(model(x) - t) ** 2 for x, t in zip(X, y)]) / batch


def gpt_loss(document: str = "isabella") -> autograd.Value:
    """One document's loss of examples/scalar_gpt.py inside ``record_calls()``, every weight
    drawn from N(0, 0.08^2) (as after some training: no weight without a gradient)."""
    sys.path.insert(0, str(EXAMPLES))
    import scalar_gpt

    tokenizer = scalar_gpt.Tokenizer.from_names(scalar_gpt.load_names())
    config = scalar_gpt.Config(tokenizer.vocab_size)
    params = scalar_gpt.Params(config, seed=0)
    params.spread()
    with autograd.record_calls():
        return scalar_gpt.document_loss(tokenizer.encode(document), params, config)


def gpt_figures(folder: Path) -> tuple[dict, Path]:
    """The GPT's figures measured in Python (wall-clock seconds) and the exported page."""
    begin = time.perf_counter()
    loss = gpt_loss()
    loss.backward()
    record_s = time.perf_counter() - begin
    figures: dict = {"values": len(topological_order(loss)), "record_s": record_s}
    begin = time.perf_counter()
    try:
        autograd.draw_dot(loss, collapse="call").pipe(format="svg")
        figures["draw_s"] = time.perf_counter() - begin
    except Exception as error:  # no Graphviz: say so, measure the rest
        figures["draw_s"] = None
        figures["draw_error"] = f"{type(error).__name__}: {error}"
    begin = time.perf_counter()
    path = viz.to_html(viz.explore(loss), folder / "gpt.html")
    figures["export_s"] = time.perf_counter() - begin
    figures["file_mb"] = path.stat().st_size / 1e6
    return figures, path


def main() -> None:
    quick = "--quick" in sys.argv
    nudges = 5 if quick else 21
    begin = time.perf_counter()
    loss = loss_of(770)
    with tempfile.TemporaryDirectory() as folder:
        path = viz.to_html(BigExplorerPage(loss), Path(folder) / "big.html")
        export_s = time.perf_counter() - begin
        gpt, gpt_path = gpt_figures(Path(folder))
        result = {
            "available": False,
            "values": len(topological_order(loss)),
            "export_s": export_s,
            "limit_ms": LIMIT_MS,
            "gpt": gpt,
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
            times = page.evaluate(NUDGES, ["w0", nudges])
            page.goto(gpt_path.as_uri(), wait_until="load")
            gpt_times = page.evaluate(NUDGES, ["wq[0][0]", nudges])
            browser.close()
    result.update(available=True, nudge_ms=statistics.median(times), first_ms=times[0])
    gpt.update(nudge_ms=statistics.median(gpt_times), first_ms=gpt_times[0])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
