"""Execute notebooks/*.ipynb for the site, each widget output replaced by its live page.

Before Sphinx reads anything (``builder-inited``), every notebook runs top to bottom in a fresh
kernel (two at a time). A first cell, removed afterwards, teaches the kernel's display to show a
widget of :mod:`autograd.viz` (anything that is a Jupyter widget and has ``to_html_document``)
as the page :func:`autograd.viz.to_html` would write. That page is embedded in an ``<iframe
srcdoc>``: the explorer's nudges, the backward-step slider and the rest work on the site with no
kernel and no network. The executed notebooks go to ``docs/notebooks/`` (not committed), which
myst-nb renders without running them again.

A run is cached under ``docs/_build/.notebooks`` by a hash of the notebook and of every Python
file of the project, so a rebuild after editing only the docs runs nothing.
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat

DOCS = Path(__file__).resolve().parent.parent
ROOT = DOCS.parent
OUT = DOCS / "notebooks"
CACHE = DOCS / "_build" / ".notebooks"
PAGE_MIME = "application/vnd.seegrad.page+html"
TIMEOUT = 300.0  # seconds per notebook

# Runs first in each kernel; its output and the cell itself are dropped afterwards.
KERNEL_SETUP = f'''
def _seegrad_docs_setup():
    import matplotlib
    matplotlib.use("module://matplotlib_inline.backend_inline")
    shell = get_ipython()
    plain = shell.display_formatter.format

    def is_view(obj):
        try:
            import ipywidgets
        except ImportError:
            return False
        return isinstance(obj, ipywidgets.DOMWidget) and callable(
            getattr(obj, "to_html_document", None)
        )

    def format(obj, include=None, exclude=None):
        if is_view(obj):
            return {{"{PAGE_MIME}": obj.to_html_document(), "text/plain": repr(obj)}}, {{}}
        return plain(obj, include=include, exclude=exclude)

    shell.display_formatter.format = format

_seegrad_docs_setup()
del _seegrad_docs_setup
'''


def _runner() -> Any:
    """scripts/run_notebooks.py: how `make notebooks` executes and normalises a notebook."""
    path = ROOT / "scripts" / "run_notebooks.py"
    spec = importlib.util.spec_from_file_location("run_notebooks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def iframe(document: str) -> str:
    """A page embedded in the notebook's page: a sandbox-free ``srcdoc`` iframe (same origin,
    so ``seegrad-views.js`` can size it to its content)."""
    return (
        '<iframe class="seegrad-view" title="A live view: nudge it, no kernel needed" '
        f'srcdoc="{html.escape(document, quote=True)}"></iframe>'
    )


def _embed_pages(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PAGE_MIME in data:
                page = data.pop(PAGE_MIME)
                data.pop("application/vnd.jupyter.widget-view+json", None)
                data["text/html"] = iframe(page)


# A notebook's link to a repository file ("../examples/x.py") has no page on the site: its text
# stays, as code.
_REPO_LINK = re.compile(r"\[`?([^\]`]+)`?\]\(\.\./[^)\s]+\)")


def _unlink_repo_files(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = _REPO_LINK.sub(r"`\1`", cell.source)


def _project_hash() -> str:
    digest = hashlib.sha256()
    for folder in ("autograd", "nn", "scripts", "examples"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".js", ".css"):
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def execute(path: Path, project: str) -> Path:
    """Run ``path`` (cached), write it to docs/notebooks/ and return the written path."""
    key = hashlib.sha256(path.read_bytes() + project.encode()).hexdigest()[:16]
    cached = CACHE / f"{path.stem}-{key}.ipynb"
    target = OUT / path.name
    if not cached.exists():
        runner = _runner()
        notebook = nbformat.read(path, as_version=4)
        notebook.cells.insert(0, nbformat.v4.new_code_cell(KERNEL_SETUP))
        scratch = CACHE / f"{path.stem}-{key}.input.ipynb"
        CACHE.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, scratch)
        try:
            notebook = runner.execute(scratch, timeout=TIMEOUT, cwd=path.parent)
        finally:
            scratch.unlink()
        notebook.cells.pop(0)
        _embed_pages(notebook)
        _unlink_repo_files(notebook)
        runner.normalise(notebook)
        notebook.metadata.pop("widgets", None)
        nbformat.write(notebook, cached)
    OUT.mkdir(exist_ok=True)
    shutil.copyfile(cached, target)
    return target


def execute_all(app: Any) -> None:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for stale in OUT.glob("*.ipynb"):
        if not (ROOT / "notebooks" / stale.name).exists():
            stale.unlink()
    project = _project_hash()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda path: execute(path, project), notebooks))


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", execute_all)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
