"""Every notebook runs top to bottom in a fresh kernel, and is committed run and normalised."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT = 300  # seconds for a whole notebook

if not os.environ.get("CI"):
    # On CI a missing extra is an error (the import below fails); elsewhere, say what to install.
    pytest.importorskip("nbclient", reason="needs the [notebooks] extra: make setup")


def _load_runner():
    path = ROOT / "scripts" / "run_notebooks.py"
    spec = importlib.util.spec_from_file_location("run_notebooks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = _load_runner()
nbformat = pytest.importorskip("nbformat")
from nbclient.exceptions import CellExecutionError  # noqa: E402


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks/*.ipynb found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path) -> None:
    try:
        runner.execute(path, timeout=TIMEOUT, cwd=path.parent)
    except CellExecutionError as error:
        pytest.fail(f"{path.name}: a cell raised\n{error}", pytrace=False)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_run_and_normalised(path: Path) -> None:
    assert runner.problems(path) == []


def test_readme_links_every_notebook() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"(notebooks/{path.name})" in readme, f"README does not link {path.name}"


def _notebook(tmp_path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_raising_cell_fails_the_run_and_names_the_error(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "x = 1", "print('before')\n1 / 0", "print('never')")
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        runner.execute(path, timeout=60)


def test_the_kernel_is_this_python_in_the_notebooks_folder(tmp_path: Path) -> None:
    import sys

    path = _notebook(tmp_path, "import os, sys\nprint(os.getcwd(), sys.executable)")
    notebook = runner.execute(path, timeout=60)
    folder, python = notebook.cells[0].outputs[0]["text"].split()
    assert folder == str(tmp_path)
    # Another "python3" kernel spec (in ~/.local/share/jupyter) would run a different Python.
    assert Path(python).resolve() == Path(sys.executable).resolve()


def test_normalise_numbers_cells_and_drops_widget_state() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    notebook.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    widget = nbformat.v4.new_output(
        "display_data",
        data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2},
            "text/plain": "IntSlider(value=0)",
        },
    )
    result = nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=7)
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# title"),
        nbformat.v4.new_code_cell("slider", execution_count=5, outputs=[widget]),
        nbformat.v4.new_code_cell("1 + 1", execution_count=7, outputs=[result]),
    ]
    notebook.cells[1].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    runner.normalise(notebook)
    assert "widgets" not in notebook.metadata
    assert notebook.metadata["language_info"] == {"name": "python"}
    assert [c.get("execution_count") for c in notebook.cells] == [None, 1, 2]
    assert notebook.cells[2].outputs[0]["execution_count"] == 2
    assert notebook.cells[1].outputs[0]["data"] == {"text/plain": runner.WIDGET_NOTE}
    assert "execution" not in notebook.cells[1].metadata


def test_problems_finds_unrun_and_oversized_notebooks(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "print(1)")
    found = runner.problems(path)
    assert any("not 1..1" in p for p in found) and any("no outputs" in p for p in found)
    path.write_text(path.read_text() + " " * runner.MAX_BYTES)
    assert any(re.search(r"is \d+ bytes", p) for p in runner.problems(path))


def test_normalise_merges_stream_chunks() -> None:
    chunks = [
        nbformat.v4.new_output("stream", name="stdout", text="a"),
        nbformat.v4.new_output("stream", name="stdout", text="b\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
        nbformat.v4.new_output("stream", name="stdout", text="c\n"),
    ]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("print()", execution_count=1, outputs=chunks)]
    runner.normalise(notebook)
    assert [(o["name"], o["text"]) for o in notebook.cells[0].outputs] == [
        ("stdout", "ab\n"),
        ("stderr", "warning\n"),
        ("stdout", "c\n"),
    ]


def test_readme_image_takes_the_tagged_cells_picture() -> None:
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})
    svg = nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg></svg>"})
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("untagged", outputs=[png]),
        nbformat.v4.new_code_cell("tagged", outputs=[svg]),
    ]
    assert runner.readme_image(notebook) is None
    notebook.cells[1].metadata["tags"] = ["readme-image"]
    assert runner.readme_image(notebook) == (".svg", b"<svg></svg>")


def test_notebook_01_builds_the_neuron_the_browser_test_expects() -> None:
    from autograd import Value, topological_order

    from .browser.jupyterlab import neuron

    notebook = nbformat.read(ROOT / "notebooks" / "01_values_and_graphs.ipynb", as_version=4)
    (source,) = [cell.source for cell in notebook.cells if cell.get("id") == "neuron"]
    namespace = {"Value": Value}
    exec(source.split("\nprint(")[0], namespace)  # the graph only, not the printing

    def shape(root):
        return [(v.label, v.op, round(v.data, 12), v.grad) for v in topological_order(root)]

    assert shape(namespace["o"]) == shape(neuron()), (
        "notebook 01's `neuron` cell and tests/browser/jupyterlab.py::neuron differ: "
        "change both, and the node count the browser test expects"
    )
