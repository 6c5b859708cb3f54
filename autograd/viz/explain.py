"""``explain(root, leaf)``: the chain rule written out, path by path.

d root / d leaf is a sum over every path from ``leaf`` up to ``root``; each path contributes the
product of the local derivatives along it (each one read from the op table). ``backward`` gets
the same number without listing paths: it adds the paths up node by node, which is why it stays
fast when the number of paths explodes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.backward import backward_steps, local_derivatives, topological_order
from ..core.gradients import grad
from ..core.value import Value
from .text import number, value_names

__all__ = ["Explanation", "Link", "Path", "explain", "local_derivatives"]


@dataclass(frozen=True)
class Link:
    """One edge of a path: ``output`` was made from ``input`` (its ``slot``-th parent) and
    ``derivative`` is the local d output / d input from the op table."""

    output: Value
    input: Value
    slot: int
    derivative: float


@dataclass(frozen=True)
class Path:
    """Links from the leaf up to the root, and the product of their local derivatives."""

    links: tuple[Link, ...]
    product: float


class Explanation:
    """d root / d leaf by the chain rule. ``paths`` lists every path (``None`` when there are
    more than ``max_paths``), ``n_paths`` counts them, ``total`` is d root / d leaf: the sum of
    the path products (or, when the paths are too many to list, the gradient from
    :func:`autograd.grad`)."""

    def __init__(
        self,
        root: Value,
        leaf: Value,
        paths: list[Path] | None,
        n_paths: int,
        total: float,
        names: dict[int, str],
        max_paths: int,
        fmt: str,
    ) -> None:
        self.root, self.leaf = root, leaf
        self.paths, self.n_paths, self.total = paths, n_paths, total
        self.max_paths, self.fmt = max_paths, fmt
        self._names = names

    def name(self, value: Value) -> str:
        """How ``value`` is called in this explanation."""
        return self._names.get(id(value), value.label or "?")

    def _d(self, output: Value, input: Value) -> str:  # noqa: A002
        return f"∂{_group(self.name(output))}/∂{_group(self.name(input))}"

    def _step(self, link: Link) -> str:
        """The link's output, saying which input when it uses the same Value more than once."""
        name = self.name(link.output)
        if sum(p is link.input for p in link.output.parents) > 1:
            name += f" (as input {link.slot + 1})"
        return name

    def _heading(self) -> str:
        root, leaf = _group(self.name(self.root)), _group(self.name(self.leaf))
        noun = "path" if self.n_paths == 1 else "paths"
        return (
            f"d {root} / d {leaf} by the chain rule: {self.n_paths:,} {noun} from {leaf} to {root}"
        )

    def _lines(self) -> list[tuple[str, str, str, str]]:
        """Per path: the route, the symbolic product, the numbers, and the product."""
        rows = []
        for path in self.paths or []:
            links = path.links[::-1]  # written root first, as dC/da * da/dz * dz/dw
            route = " → ".join([self.name(self.leaf)] + [self._step(k) for k in path.links])
            symbols = " · ".join(self._d(k.output, k.input) for k in links) or "1"
            numbers = " × ".join(number(k.derivative, self.fmt) for k in links) or "1"
            rows.append((route, symbols, numbers, number(path.product, self.fmt)))
        return rows

    def _conclusion(self) -> str:
        root, leaf = _group(self.name(self.root)), _group(self.name(self.leaf))
        value = number(self.total, self.fmt)
        if self.n_paths == 0:
            return f"{root} does not depend on {leaf}: d {root} / d {leaf} = 0"
        if self.paths is None:
            return (
                f"{self.n_paths:,} paths are too many to list (max_paths={self.max_paths}). Their "
                f"sum is still d {root} / d {leaf} = {value}, which backward computes by adding "
                "the paths up node by node instead of one by one."
            )
        return f"sum over the paths: d {root} / d {leaf} = {value}"

    def __str__(self) -> str:
        out = [self._heading(), ""]
        for k, (route, symbols, numbers, product) in enumerate(self._lines(), start=1):
            out += [f"path {k}: {route}", f"  {symbols}", f"  = {numbers}", f"  = {product}", ""]
        out.append(self._conclusion())
        return "\n".join(out)

    def __repr__(self) -> str:
        return (
            f"Explanation(root={self.name(self.root)!r}, leaf={self.name(self.leaf)!r}, "
            f"n_paths={self.n_paths}, total={self.total!r})"
        )

    def _repr_markdown_(self) -> str:
        out = [f"**{_md(self._heading())}**", ""]
        rows = self._lines()
        if rows:
            out += ["| path | local derivatives | numbers | product |", "|---|---|---|---|"]
            for cells in rows:
                out.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
            out.append("")
        out.append(_md(self._conclusion()))
        return "\n".join(out)


def _group(name: str) -> str:
    """``name`` in parentheses when it is an expression, so ∂(x1*w1) reads as one thing."""
    head = name.split("[", 1)[0] if name.endswith("]") else name  # z[layer 1 / neuron 3]
    simple = head.replace("_", "").isalnum() or (name.startswith("(") and name.endswith(")"))
    return name if simple else f"({name})"


def _md(text: str) -> str:
    """Text shown literally by a Markdown renderer (labels may hold any character)."""
    text = text.replace("\\", "\\\\")
    for ch in "`*_{}[]()#+-!|~":
        text = text.replace(ch, "\\" + ch)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\n", " ")


def explain(root: Value, leaf: Value, max_paths: int = 64, fmt: str = ".4f") -> Explanation:
    """d root / d leaf written out: every path from ``leaf`` to ``root``, the local derivative
    on each edge (from the op table), their product, and the sum of the products.

    Paths are counted first; above ``max_paths`` they are not listed, and the explanation says
    so (``total`` is then the gradient from :func:`autograd.grad`). No ``.grad`` is changed.
    """
    for what, v in (("root", root), ("leaf", leaf)):
        if not isinstance(v, Value):
            raise TypeError(f"explain: {what} must be a Value, got {type(v).__name__}")
    order = topological_order(root)
    names = value_names(order)
    # Paths from leaf to each node, counted over parent slots (so a * a has two).
    count: dict[int, int] = {id(leaf): 1}
    for v in order:
        if v is not leaf:
            count[id(v)] = sum(count.get(id(p), 0) for p in v.parents)
    n_paths = count.get(id(root), 0)
    if leaf is not root and id(leaf) not in names:
        names[id(leaf)] = leaf.label or "leaf"
    if n_paths == 0:
        return Explanation(root, leaf, [], 0, 0.0, names, max_paths, fmt)
    if n_paths > max_paths:
        (total,) = grad(root, [leaf])
        return Explanation(root, leaf, None, n_paths, total.data, names, max_paths, fmt)

    # Edges that lie on some path, with their local derivatives from the engine's reverse loop
    # (its steps come root first: reversed, each node's consumers are listed in graph order).
    ups: dict[int, list[Link]] = {}
    for v, _, local in reversed(list(backward_steps(root))):
        if not count.get(id(v)):
            continue
        for slot, (p, d) in enumerate(zip(v.parents, local)):
            if count.get(id(p)):
                ups.setdefault(id(p), []).append(Link(v, p, slot, d))
    # Depth-first from the leaf. A partial path is a linked list (its last link, the rest), so
    # extending it costs O(1) and a long chain is not copied at every step.
    paths: list[Path] = []
    stack: list[tuple[Value, tuple | None]] = [(leaf, None)]
    while stack:
        node, partial = stack.pop()
        if node is root:
            links = _unlink(partial)
            paths.append(Path(links, math.prod(k.derivative for k in links)))
            continue
        for link in reversed(ups.get(id(node), [])):
            stack.append((link.output, (link, partial)))
    total = math.fsum(p.product for p in paths)
    return Explanation(root, leaf, paths, n_paths, total, names, max_paths, fmt)


def _unlink(partial: tuple | None) -> tuple[Link, ...]:
    """The links of a partial path kept as nested pairs (last link, rest), leaf first."""
    links = []
    while partial is not None:
        link, partial = partial
        links.append(link)
    return tuple(links[::-1])
