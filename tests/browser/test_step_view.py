"""Issue 19.5: step_backward keeps the node being processed in view, at every zoom, in
JupyterLab at 1024 px with the file browser open (a 592 px column). A 2-3-3-1 net's first step
highlights its loss, at the drawing's right end: it was past the edge of a box that scrolled.

Screenshots: test-artifacts/wide/step-view-*.png.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

CELL = """# step view
import nn
from autograd import viz

net = nn.MLP(2, [3, 3, 1], seed=0)
loss = nn.mse_loss([net([0.5, -1.0]), net([1.0, 2.0])], [1.0, -1.0])
loss.backward()
viz.step_backward(loss)"""

# Where the node being processed (filled orange, draw.CURRENT) is against the box that shows it
# and the output column.
WHERE = """(cell) => {
  const node = [...cell.querySelectorAll('.jp-OutputArea g.node')].find(g =>
    [...g.querySelectorAll('polygon, ellipse, path')].some(s =>
      (s.getAttribute('fill') || '').toLowerCase() === '#ff9f43'));
  if (!node) return null;
  const r = node.getBoundingClientRect();
  let box = node.parentElement;
  while (box && !(box.tagName === 'DIV' && /-box$/.test(box.className))) box = box.parentElement;
  const b = box.getBoundingClientRect();
  const c = node.closest('.jp-OutputArea-output').getBoundingClientRect();
  const inside = (o) => r.left >= o.left - 1 && r.right <= o.right + 1 &&
    r.top >= o.top - 1 && r.bottom <= o.bottom + 1;
  return {title: node.querySelector('title').textContent, node: [r.left, r.right, r.top, r.bottom],
          box: [b.left, b.right, b.top, b.bottom], column: [c.left, c.right],
          in_box: inside(b) && r.top >= 0 && r.bottom <= innerHeight,
          in_column: r.left >= c.left - 1 && r.right <= c.right + 1};
}"""


def write_notebook(path) -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(CELL)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(notebook, path)


def test_the_node_being_processed_stays_in_view(lab_server, page, artifacts) -> None:
    from . import jupyterlab as lab_steps
    from .test_wide_drawings import set_file_browser

    folder = artifacts / "wide"
    folder.mkdir(parents=True, exist_ok=True)
    write_notebook(lab_server.root / "step_view.ipynb")
    page.set_viewport_size({"width": 1024, "height": 900})
    lab_steps.open_notebook(page, lab_server, "step_view.ipynb")
    set_file_browser(page, True)
    lab_steps.run_all(page)
    cell = lab_steps.cell(page, "# step view")
    cell.locator(".jp-OutputArea g.node").first.wait_for(timeout=lab_steps.WIDGET_SECONDS * 1000)
    page.wait_for_timeout(500)
    seen = []

    def look(what: str) -> None:
        page.wait_for_timeout(400)
        where = cell.evaluate(WHERE)
        page.screenshot(path=str(folder / f"step-view-{len(seen)}-{what}.png"))
        seen.append((what, where))

    look("step0-fit")
    cell.get_by_text("200%", exact=True).last.click()
    look("step0-200")
    for k in range(1, 4):
        lab_steps.move_slider(cell)
        look(f"step{k}-200")
    cell.get_by_text("100%", exact=True).last.click()
    look("step3-100")
    # In the drawing's box, and on the screen.
    lost = [f"{what}: {where}" for what, where in seen if not where or not where["in_box"]]
    assert not lost, "the node being processed is out of view:\n" + "\n".join(lost)
    assert seen[0][1]["in_column"], f"at fit the loss is past the column: {seen[0][1]}"
