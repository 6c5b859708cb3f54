"""A notebook with one cell per graph view, and the JavaScript that measures how each fits.

Only the standard library is imported at module level, so `make test` can import it.
"""

from __future__ import annotations

# Each view: (name, the cell's source). The first line of each cell names it ("# view: name"),
# so a test finds the cell in JupyterLab and in the HTML export alike.
IMPORTS = """import nn
from autograd import Value, draw_dot, viz
from nn.data import make_moons
"""

MODELS = """
small = nn.MLP(2, [3, 3, 1], seed=0)
small_loss = nn.mse_loss([small([0.5, -1.0]), small([1.0, 2.0])], [1.0, -1.0])
small_loss.backward()

X, y = make_moons(100, noise=0.1, seed=0)
mlp = nn.MLP(2, [16, 16, 1], seed=0)
batch_loss = nn.mse_loss([mlp(list(row)) for row in X], [2.0 * t - 1.0 for t in y])
batch_loss.backward()"""

VIEWS = {
    "neuron": "draw_dot(o)",
    "neuron_edge_labels": "draw_dot(o, edge_labels=True)",
    "collapsed": 'draw_dot(small_loss, collapse="neuron")',
    "clustered": 'draw_dot(small_loss, cluster="module")',
    "interactive": "viz.interactive(o)",
    "step_backward": "viz.step_backward(o)",
    "batch_loss": 'draw_dot(batch_loss, collapse="sample")',
}


def neuron_cell() -> str:
    """The cell of notebook 01 that builds the notes' neuron ``o`` (and runs its backward)."""
    import json
    from pathlib import Path

    notebook = Path(__file__).resolve().parents[2] / "notebooks" / "01_values_and_graphs.ipynb"
    (source,) = [
        "".join(c["source"])
        for c in json.loads(notebook.read_text())["cells"]
        if c.get("id") == "neuron"
    ]
    return source


def cell_sources() -> list[str]:
    setup = IMPORTS + "\n" + neuron_cell() + "\n" + MODELS
    return [setup] + [f"# view: {name}\n{call}" for name, call in VIEWS.items()]


def write_notebook(path) -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cell_sources()]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nbformat.write(notebook, path)


# Given a cell's element, measure the drawings (an <img> or a top-level <svg> wider than 40 px)
# in its output area. A drawing is reachable when it lies inside the output area, or inside a
# box (itself inside the area) that scrolls to it. `text` is the height in px of the smallest
# label: measured on the page for an inline SVG; for an <img>, its font size times the scale.
MEASURE = """(cell) => {
  const area = cell.querySelector('.jp-OutputArea');
  if (!area) return {error: 'no output area'};
  const box = area.getBoundingClientRect();
  const drawings = [...area.querySelectorAll('img, svg')].filter(d => {
    if (d.tagName.toLowerCase() === 'svg' && d.parentElement.closest('svg')) return false;
    const r = d.getBoundingClientRect();
    return r.width > 40 && r.height > 20 && getComputedStyle(d).visibility !== 'hidden'
      && d.offsetParent !== null;
  });
  const scroller = (d) => {
    for (let e = d.parentElement; e && e !== area.parentElement; e = e.parentElement) {
      const s = getComputedStyle(e);
      if ((/(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1) ||
          (/(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1)) return e;
    }
    return null;
  };
  const fontPx = (d) => {
    if (d.tagName.toLowerCase() === 'svg') {
      const heights = [...d.querySelectorAll('text')].map(t => {
        const size = parseFloat(getComputedStyle(t).fontSize);
        const m = t.getScreenCTM();
        return m ? size * Math.hypot(m.a, m.b) : size;
      });
      return heights.length ? Math.min(...heights) : null;
    }
    const raw = d.getAttribute('src') || '';
    const comma = raw.indexOf(',');
    const src = raw.slice(0, comma).endsWith(';base64') ? atob(raw.slice(comma + 1))
      : decodeURIComponent(raw.slice(comma + 1));
    const sizes = [...src.matchAll(/font-size="([0-9.]+)"/g)].map(m => parseFloat(m[1]));
    const vb = src.match(/viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+) [0-9.]+"/);
    if (!sizes.length || !vb) return null;
    return Math.min(...sizes) * d.getBoundingClientRect().width / parseFloat(vb[1]);
  };
  return {
    area: {left: box.left, right: box.right, width: box.width},
    drawings: drawings.map(d => {
      // The output beside its prompt ("Out[3]:") is the column a drawing has.
      const own = (d.closest('.jp-OutputArea-output') || area).getBoundingClientRect();
      const r = d.getBoundingClientRect();
      const s = scroller(d);
      const inside = r.left >= own.left - 1 && r.right <= own.right + 1;
      let reachable = inside;
      if (!inside && s) {
        const sr = s.getBoundingClientRect();
        reachable = sr.left >= own.left - 1 && sr.right <= own.right + 1 &&
          s.scrollWidth >= r.width - 1;
      }
      return {
        tag: d.tagName.toLowerCase(), left: r.left, right: r.right, width: r.width,
        column: own.width, height: r.height,
        overflow: Math.max(0, r.right - own.right, own.left - r.left),
        scrolls: !!s, reachable, text_px: fontPx(d),
      };
    }),
  };
}"""
