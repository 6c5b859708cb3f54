"""Every drawing ends inside its output column, at its default zoom, in JupyterLab at 1024 and
1440 px with the file browser open and closed: notebooks 01-03, a 14-op and a 40-op chain (in
draw_dot and the explorer). A drawing may not overhang its column and wait to be scrolled to.

Screenshots: test-artifacts/wide/<notebook>-<width>-<browser>-cell<k>.png; the boxes measured:
test-artifacts/wide/<notebook>.json.
"""

from __future__ import annotations

import inspect
import json

import pytest

from tests.autograd.viz.test_rows import chain

from . import views

pytestmark = pytest.mark.browser

WIDTHS = (1024, 1440)
NOTEBOOKS = ["01_values_and_graphs", "02_backprop_by_hand", "03_mlp_on_moons", "chains"]

CHAIN_SOURCE = (
    inspect.getsource(chain)
    + """

chain14, chain40 = chain(14), chain(40)"""
)
CHAIN_CELLS = [
    "import nn\nfrom autograd import Value, draw_dot, viz\n\n" + CHAIN_SOURCE,
    "draw_dot(chain14)",
    "draw_dot(chain40)",
    "viz.explore(chain14)",
    "viz.explore(chain40)",
]


def write_chains(path) -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CHAIN_CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(notebook, path)


def set_file_browser(page, shown: bool) -> None:
    if shown:
        page.evaluate("() => window.jupyterapp.shell.activateById('filebrowser')")
    else:
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    page.wait_for_timeout(600)  # JupyterLab lays the panel out again


# A widget's controls in a cell's output: each one's box and whether its text is cut.
CONTROLS = """(cell) => {
  const area = cell.querySelector('.jp-OutputArea');
  if (!area) return [];
  const column = (area.querySelector('.jp-OutputArea-output') || area).getBoundingClientRect();
  const picked = [...area.querySelectorAll(
    '.widget-label, .widget-dropdown select, .widget-text input, .widget-toggle-button, button')];
  return picked.filter(e => e.offsetParent !== null).map(e => {
    const r = e.getBoundingClientRect();
    return {text: (e.innerText || e.value || e.title || '').trim(), right: r.right,
            column_right: column.right,
            cut: e.matches('.widget-label') && e.scrollWidth > e.clientWidth + 1};
  });
}"""


def cut_controls(controls: list[dict]) -> list[str]:
    """Each control that ends past its column or whose label is cut."""
    return [
        f"the control {c['text']!r} "
        + (
            "is cut"
            if c["cut"]
            else f"ends {c['right'] - c['column_right']:.0f} px past its column"
        )
        for c in controls
        if c["cut"] or c["right"] > c["column_right"] + 1
    ]


def overhangs(figures: dict[str, dict]) -> list[str]:
    """Each drawing that does not end inside its output column."""
    problems = []
    for name, found in figures.items():
        for d in found.get("drawings", []):
            if d["overflow"] > 1:
                problems.append(
                    f"{name}: a {d['width']:.0f} px wide drawing ends {d['overflow']:.0f} px "
                    f"past its {d['column']:.0f} px column"
                )
    return problems


def test_every_drawing_ends_inside_its_column(lab_server, page, artifacts) -> None:
    from . import jupyterlab as lab_steps

    folder = artifacts / "wide"
    folder.mkdir(parents=True, exist_ok=True)
    write_chains(lab_server.root / "chains.ipynb")
    problems = []
    for notebook in NOTEBOOKS:
        page.set_viewport_size({"width": 1440, "height": 900})
        lab_steps.open_notebook(page, lab_server, f"{notebook}.ipynb")
        lab_steps.run_all(page)
        page.wait_for_timeout(2500)  # widgets draw a moment after their cell ran
        cells = lab_steps.notebook_cells(page)
        measured = {}
        for width in WIDTHS:
            for shown in (True, False):
                page.set_viewport_size({"width": width, "height": 900})
                set_file_browser(page, shown)
                where = f"{width}-{'browser' if shown else 'nobrowser'}"
                figures = {}
                for k in range(cells.count()):
                    found = cells.nth(k).evaluate(views.MEASURE)
                    problems += [
                        f"{notebook} at {where}: cell {k}: {p}"
                        for p in cut_controls(cells.nth(k).evaluate(CONTROLS))
                    ]
                    if found.get("drawings"):
                        figures[f"cell {k}"] = found
                        if (width == 1024 and shown) or overhangs({"": found}):
                            cells.nth(k).scroll_into_view_if_needed()
                            page.screenshot(
                                path=str(folder / f"{notebook}-{where}-cell{k:02d}.png")
                            )
                measured[where] = figures
                problems += [f"{notebook} at {where}: {p}" for p in overhangs(figures)]
        (folder / f"{notebook}.json").write_text(json.dumps(measured, indent=1))
    assert not problems, "drawings past their column in JupyterLab:\n" + "\n".join(problems)
