"""Every graph view fits its output column (or scrolls to what does not), in nbconvert's HTML
export and in JupyterLab, at window widths 1024 and 1440 px; the neuron's text stays >= 8 px.

Screenshots: test-artifacts/fit/<where>-<width>-<view>.png; the figures measured:
test-artifacts/fit/<where>-<width>.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import views
from .conftest import ROOT, need, offline_page

pytestmark = pytest.mark.browser

WIDTHS = (1024, 1440)
MIN_TEXT_PX = 8.0


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> Path:
    pytest.importorskip("nbclient", reason="needs the [notebooks] extra")
    import shutil

    import nbformat
    from nbclient import NotebookClient

    need(shutil.which("dot") is not None, "Graphviz's dot is needed: apt-get install graphviz")
    path = tmp_path_factory.mktemp("views") / "views.ipynb"
    views.write_notebook(path)
    notebook = nbformat.read(path, as_version=4)
    # Without widget state, as notebooks are committed (scripts/run_notebooks.py drops it): with
    # state, nbconvert shows a widget only through its CDN manager, which an offline page lacks.
    client = NotebookClient(notebook, timeout=300, allow_errors=True, store_widget_state=False)
    client.execute()
    run_notebooks().normalise(notebook)  # as scripts/run_notebooks.py saves notebooks
    nbformat.write(notebook, path)
    return path


def run_notebooks():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "run_notebooks", ROOT / "scripts/run_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(figures: dict[str, dict]) -> list[str]:
    """What is wrong with the measured views (empty when all fit)."""
    problems = []
    for name, found in figures.items():
        if "error" in found:
            problems.append(f"{name}: {found['error']}")
            continue
        if not found["drawings"]:
            problems.append(f"{name}: no drawing shown")
        for d in found["drawings"]:
            if not d["reachable"]:
                problems.append(
                    f"{name}: a {d['width']:.0f} px wide drawing sticks out of its "
                    f"{d['column']:.0f} px output column by {d['overflow']:.0f} px"
                )
            elif d["overflow"] > 1 and d["text_px"] is not None:
                # Scrolling is for drawings whose text would be too small scaled to the column.
                scaled = d["text_px"] * d["column"] / d["width"]
                if scaled >= MIN_TEXT_PX:
                    problems.append(
                        f"{name}: a {d['width']:.0f} px wide drawing scrolls in its "
                        f"{d['column']:.0f} px output column, though scaled to it its "
                        f"text would be {scaled:.1f} px"
                    )
    for d in figures.get("neuron", {}).get("drawings", []):
        if d["text_px"] is not None and d["text_px"] < MIN_TEXT_PX:
            problems.append(f"neuron: its smallest text is {d['text_px']:.1f} px high")
    return problems


def measure_cells(page, cells) -> dict[str, dict]:
    figures = {}
    for name in views.VIEWS:
        marker = f"# view: {name}"
        index = next(i for i, c in enumerate(cells) if c.startswith(marker))
        figures[name] = cells_locator(page).nth(index).evaluate(views.MEASURE)
    return figures


def cells_locator(page):
    return page.locator(".jp-Cell")


@pytest.mark.parametrize("width", WIDTHS)
def test_views_fit_in_the_html_export(executed: Path, width: int, browser, artifacts) -> None:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_filename(str(executed))
    folder = artifacts / "fit"
    folder.mkdir(exist_ok=True)
    html = folder / "views.html"
    html.write_text(body, encoding="utf-8")
    with offline_page(browser, html, width) as page:
        figures = measure_cells(page, views.cell_sources())
        for k, name in enumerate(views.VIEWS):
            cell = cells_locator(page).nth(k + 1)
            cell.scroll_into_view_if_needed()
            page.screenshot(path=str(folder / f"html-{width}-{name}.png"))
    (folder / f"html-{width}.json").write_text(json.dumps(figures, indent=1))
    problems = check(figures)
    assert not problems, f"at {width} px in the HTML export:\n" + "\n".join(problems)


def test_views_fit_in_jupyterlab(lab_server, page, artifacts) -> None:
    from . import jupyterlab as lab_steps

    views.write_notebook(lab_server.root / "views.ipynb")
    folder = artifacts / "fit"
    folder.mkdir(exist_ok=True)
    lab_steps.open_notebook(page, lab_server, "views.ipynb")
    problems = []
    try:
        lab_steps.run_all(page)
    except AssertionError as error:  # a view that raises is reported with the others
        problems.append(str(error).splitlines()[-1])
    for name in views.VIEWS:
        try:  # widgets draw a moment after the cell ran
            lab_steps.graph_svg(lab_steps.cell(page, f"# view: {name}"))
        except Exception:
            pass
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(500)  # JupyterLab lays the panel out again
        figures = {}
        for name in views.VIEWS:
            cell = lab_steps.cell(page, f"# view: {name}")
            cell.scroll_into_view_if_needed()
            figures[name] = cell.evaluate(views.MEASURE)
            page.screenshot(path=str(folder / f"lab-{width}-{name}.png"))
        (folder / f"lab-{width}.json").write_text(json.dumps(figures, indent=1))
        problems += [f"at {width} px: {p}" for p in check(figures)]
    assert not problems, "in JupyterLab:\n" + "\n".join(problems)


NOTEBOOKS = ["01_values_and_graphs", "02_backprop_by_hand", "03_mlp_on_moons"]


def measure_notebook(page, cells, folder: Path, prefix: str) -> dict[str, dict]:
    """Every cell's drawings, by cell index; a screenshot of each cell that has one."""
    figures = {}
    for k in range(cells.count()):
        found = cells.nth(k).evaluate(views.MEASURE)
        if found.get("drawings"):
            cells.nth(k).scroll_into_view_if_needed()
            page.screenshot(path=str(folder / f"{prefix}-cell{k:02d}.png"))
            figures[f"cell {k}"] = found
    return figures


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_drawings_fit_in_the_html_export(notebook: str, browser, artifacts) -> None:
    from nbconvert import HTMLExporter

    folder = artifacts / "fit" / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    body, _ = HTMLExporter(template_name="lab").from_filename(
        str(ROOT / "notebooks" / f"{notebook}.ipynb")
    )
    html = folder / f"{notebook}.html"
    html.write_text(body, encoding="utf-8")
    with offline_page(browser, html, 1440) as page:
        figures = measure_notebook(page, page.locator(".jp-Cell"), folder, f"html-{notebook}")
    (folder / f"html-{notebook}.json").write_text(json.dumps(figures, indent=1))
    assert figures, f"{notebook}: no drawing in the export"
    problems = check(figures)
    assert not problems, f"{notebook} exported, at 1440 px:\n" + "\n".join(problems)


def test_notebook_drawings_fit_in_jupyterlab(lab_server, page, artifacts) -> None:
    from . import jupyterlab as lab_steps

    folder = artifacts / "fit" / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    problems = []
    for notebook in NOTEBOOKS:
        lab_steps.open_notebook(page, lab_server, f"{notebook}.ipynb")
        lab_steps.run_all(page)
        page.wait_for_timeout(2000)  # widgets draw a moment after their cell ran
        cells = lab_steps.notebook_cells(page)
        figures = measure_notebook(page, cells, folder, f"lab-{notebook}")
        (folder / f"lab-{notebook}.json").write_text(json.dumps(figures, indent=1))
        problems += [f"{notebook}: {p}" for p in check(figures)]
    assert not problems, "in JupyterLab at 1440 px:\n" + "\n".join(problems)
