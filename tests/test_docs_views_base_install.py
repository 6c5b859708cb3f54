"""Views export with the base install alone: no anywidget, no ipywidgets (issue 23.2).

A subprocess where importing either package fails (``sys.modules[name] = None``) exports each
view with ``viz.to_html``: the explorer, a graph, the backward steps and the network view.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import sys
    for name in ("anywidget", "ipywidgets", "graphviz_anywidget"):
        sys.modules[name] = None  # any import of it raises ImportError
    from pathlib import Path
    import nn
    from autograd import Value, draw_dot, viz

    folder = Path(sys.argv[1])
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    o = (x * w).tanh()
    o.label = "o"
    written = {
        "explore": viz.to_html(viz.explore(o), folder / "explore.html"),
        "steps": viz.to_html(viz.backward_frames(o), folder / "steps.html"),
        "network": viz.to_html(viz.draw_network(nn.MLP(2, [3, 1], seed=0)), folder / "net.html"),
    }
    try:
        written["graph"] = viz.to_html(draw_dot(o), folder / "graph.html")
    except Exception as error:  # no dot: the graph page needs Graphviz, not the widgets
        assert "dot" in str(error).lower(), error
    assert "anywidget" not in sys.modules or sys.modules["anywidget"] is None
    for name, path in written.items():
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html") or text.lower().startswith("<!doctype"), name
        print(name, len(text))
    """
)


def test_views_export_without_the_widget_packages(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    shown = dict(line.split() for line in result.stdout.splitlines() if line)
    assert {"explore", "steps", "network"} <= set(shown), result.stdout
    explore = (tmp_path / "explore.html").read_text(encoding="utf-8")
    assert '"w"' in explore  # the leaf's label, in the page's graph
    assert "<script" in explore  # the page recomputes nudges itself
