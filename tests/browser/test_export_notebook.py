"""The network view in a notebook, and the static pictures widgets leave in saved notebooks.

In JupyterLab (run with a kernel) and in nbconvert's HTML export of the same notebook run
without widget state (as notebooks are committed), at 1024 and 1440 px: the network views of a
2-16-16-1 and a 784-16-16-10 MLP lie inside their output area with text >= 8 px, and in the
export the step_backward and interactive cells show their static picture. Screenshots:
test-artifacts/export/notebook-<where>-<width>-<cell>.png.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import views
from .conftest import need, offline_page

pytestmark = pytest.mark.browser

WIDTHS = (1024, 1440)
MIN_TEXT_PX = 8.0

SETUP = """import random

import nn
from autograd import viz
from nn.data import make_moons

X, y = make_moons(100, noise=0.1, seed=0)
moons = nn.MLP(2, [16, 16, 1], seed=0)
nn.fit(moons, X, y, loss="bce_logits", epochs=5, batch_size=20, progress=False)
digits = nn.MLP(784, [16, 16, 10], seed=0)
rng = random.Random(0)
image = [rng.random() for _ in range(784)]
loss = nn.binary_cross_entropy([moons(list(X[0])).sigmoid()], [float(y[0])])
loss.backward()
a = moons.layers[0].neurons[0](list(X[0]))"""

CELLS = {
    "network": "viz.draw_network(moons, sample=X[0])",
    "network_grads": "viz.draw_network(moons, grads=True)",
    "network_784": "viz.draw_network(digits, sample=image)",
    "step_backward": "viz.step_backward(a)",
    "interactive": "viz.interactive(a)",
}
NETWORKS = [name for name in CELLS if name.startswith("network")]
WIDGETS = ["step_backward", "interactive"]


def write_notebook(path: Path) -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    sources = [SETUP] + [f"# cell: {name}\n{call}" for name, call in CELLS.items()]
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)


def problems_in(figures: dict[str, dict], where: str) -> list[str]:
    found = []
    for name, figure in figures.items():
        drawings = figure.get("drawings", [])
        if not drawings:
            found.append(f"{where} {name}: no drawing shown ({figure.get('error', '')})")
        for d in drawings:
            if not d["reachable"]:
                found.append(
                    f"{where} {name}: {d['width']:.0f} px drawing sticks out by "
                    f"{d['overflow']:.0f} px"
                )
            if name in NETWORKS and d["overflow"] > 0:
                found.append(f"{where} {name}: the network view is cut by {d['overflow']:.0f} px")
            if name in NETWORKS and (d["text_px"] or 0) < MIN_TEXT_PX:
                found.append(f"{where} {name}: its smallest text is {d['text_px']} px")
    return found


def measure(page, folder: Path, where: str, width: int, cell_of) -> dict[str, dict]:
    figures = {}
    for name in CELLS:
        cell = cell_of(name)
        cell.scroll_into_view_if_needed()
        figures[name] = cell.evaluate(views.MEASURE)
        page.screenshot(path=str(folder / f"notebook-{where}-{width}-{name}.png"))
    (folder / f"notebook-{where}-{width}.json").write_text(json.dumps(figures, indent=1))
    return figures


@pytest.fixture(scope="module")
def folder(artifacts: Path) -> Path:
    path = artifacts / "export"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("width", WIDTHS)
def test_network_view_and_static_pictures_in_the_html_export(
    browser, folder, tmp_path, width
) -> None:
    pytest.importorskip("nbclient", reason="needs the [notebooks] extra")
    import shutil

    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    need(shutil.which("dot") is not None, "Graphviz's dot is needed: apt-get install graphviz")
    path = tmp_path / "network.ipynb"
    write_notebook(path)
    notebook = nbformat.read(path, as_version=4)
    # As committed: no widget state, so nbconvert shows each widget's static picture.
    NotebookClient(notebook, timeout=300, store_widget_state=False).execute()
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    html = folder / "notebook.html"
    html.write_text(body, encoding="utf-8")
    with offline_page(browser, html, width) as page:
        cells = page.locator(".jp-Cell")
        figures = measure(
            page, folder, "html", width, lambda name: cells.nth(1 + list(CELLS).index(name))
        )
    problems = problems_in(figures, f"HTML export at {width} px:")
    assert not problems, "\n".join(problems)


def test_network_view_fits_in_jupyterlab(lab_server, page, folder) -> None:
    from . import jupyterlab as lab_steps

    write_notebook(lab_server.root / "network.ipynb")
    lab_steps.open_notebook(page, lab_server, "network.ipynb")
    lab_steps.run_all(page)
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(500)  # JupyterLab lays the panel out again
        figures = measure(
            page, folder, "lab", width, lambda name: lab_steps.cell(page, f"# cell: {name}")
        )
        figures = {name: figures[name] for name in NETWORKS}  # widgets: views' tests
        problems += problems_in(figures, f"JupyterLab at {width} px:")
    assert not problems, "\n".join(problems)
