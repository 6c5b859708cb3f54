"""The drawing code lives in autograd/viz/, its modules import each other without circles, and
the old import paths keep working."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import autograd

VIZ = Path(autograd.__file__).parent / "viz"


def _viz_imports(path: Path) -> set[str]:
    """The viz modules ``path`` imports anywhere (top level or inside a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
                found.update(n.split(".")[0] for n in names)
            elif node.module and node.module.startswith("autograd.viz."):
                found.add(node.module.split(".")[2])
    return found - {"__init__"}


def test_viz_modules_import_each_other_without_circles():
    graph = {p.stem: _viz_imports(p) for p in VIZ.glob("*.py") if p.stem != "__init__"}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = " -> ".join([*path[path.index(module) :], module])
            raise AssertionError(f"import circle in autograd.viz: {cycle}")
        if module in done or module not in graph:
            return
        for other in sorted(graph[module]):
            visit(other, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert "draw" in graph and "graph" in graph["draw"]


def test_the_old_and_new_import_paths_give_the_same_functions():
    code = (
        "import autograd, autograd.viz, autograd.viz.draw as d, autograd.viz.graph as g;"
        "from autograd import draw_dot;"
        "assert draw_dot is autograd.viz.draw_dot is d.draw_dot;"
        "assert autograd.viz.Graph is g.Graph"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_viz_module_imports_first_in_a_fresh_process():
    # A circle that only bites when a given module is imported first shows up here.
    for path in sorted(VIZ.glob("*.py")):
        name = "autograd.viz" if path.stem == "__init__" else f"autograd.viz.{path.stem}"
        subprocess.run([sys.executable, "-c", f"import {name}"], check=True)
