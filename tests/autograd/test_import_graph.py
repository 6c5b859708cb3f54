"""No import circles in ``autograd/`` or ``nn/``.

The graph is read from the source with ``ast``: every ``import`` statement, also those inside
functions (a lazy import that closes a circle is still a circle a reader has to untangle).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("autograd", "nn")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that the module ``name`` (at ``path``) imports."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in known else base)
    return {t for t in targets if t in known and t != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def circles_touching(prefixes: tuple[str, ...]) -> list[list[str]]:
    return [c for c in circles(graph()) if any(m.startswith(prefixes) for m in c)]


VIEWS = ("autograd.viz",)


def test_the_engine_has_no_import_circle() -> None:
    engine = [c for c in circles(graph()) if any(not m.startswith(VIEWS) for m in c)]
    engine = [c for c in engine if any(m.startswith("autograd") for m in c)]
    assert engine == []


def test_the_views_have_no_import_circle() -> None:
    assert circles_touching(VIEWS) == []


def test_nn_has_no_import_circle() -> None:
    assert circles_touching(("nn",)) == []


def test_the_checker_finds_a_circle_and_a_lazy_import(tmp_path: Path) -> None:
    # The test must be able to fail: a circle is found, and so is an import inside a function.
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    source = tmp_path / "value.py"
    source.write_text("def backward(self):\n    from .backward import backward\n")
    known = {"autograd.core.value", "autograd.core.backward"}
    assert imports("autograd.core.value", source, known) == {"autograd.core.backward"}


def test_the_engine_imports_read_as_documented() -> None:
    edges = graph()
    assert "autograd.core.value" not in edges["autograd.core.backward"]
    assert "autograd.core.fast" not in edges  # one engine: no module of fast paths
    assert edges["autograd.core.scope"] == set() and edges["autograd.core.backends"] == set()


# -- layer rules: the core at the bottom, nn on top of autograd's public names ------------------

#: What nn may import from autograd: the package's public names and the public subpackages of
#: /work/shared/API.md (``autograd.viz`` and its modules, ``autograd.testing``).
PUBLIC = ("autograd", "autograd.viz", "autograd.testing")


def layer_violations(edges: dict[str, set[str]]) -> list[str]:
    """Each import that breaks a layer rule, as "importer -> imported (rule)"."""
    found = []
    for name, targets in sorted(edges.items()):
        for target in sorted(targets):
            if name.startswith("autograd.core") and not target.startswith("autograd.core"):
                found.append(f"{name} -> {target} (the core imports nothing above it)")
            if name.startswith("autograd") and (target == "nn" or target.startswith("nn.")):
                found.append(f"{name} -> {target} (autograd never names nn)")
            if name.startswith("nn") and target.startswith("autograd"):
                public = target in PUBLIC or target.startswith(
                    ("autograd.viz.", "autograd.testing.")
                )
                if not public:
                    found.append(f"{name} -> {target} (nn uses autograd's public names only)")
    return found


def test_the_layer_rules_hold() -> None:
    assert layer_violations(graph()) == []


def test_the_layer_rules_catch_each_kind_of_violation() -> None:
    edges = {
        "autograd.core.value": {"autograd.compiler.run"},
        "autograd.viz.draw": {"nn.module"},
        "nn.module": {"autograd.core.ops", "autograd", "autograd.viz.fit"},
    }
    assert [v.rpartition("(")[2] for v in layer_violations(edges)] == [
        "the core imports nothing above it)",
        "autograd never names nn)",
        "nn uses autograd's public names only)",
    ]
