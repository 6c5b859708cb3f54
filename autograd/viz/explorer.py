"""``viz.explore``: the explorer as an anywidget (the ``[widgets]`` extra). The math in the page
is in ``assets/explore.js``; the graph it shows comes from
:func:`autograd.viz.explorer_page.graph_spec`."""

from __future__ import annotations

import math
import numbers
from typing import Any

from ..core.backward import topological_order
from ..core.value import Value
from .explorer_page import MAX_VALUES, graph_spec, html_document, script, style
from .replay import replay, set_and_backprop

UNRUN_HINT = (
    "An explorer: run the cell (with the [widgets] extra) to nudge each leaf and watch every "
    "value and grad move; below, a static picture of the graph."
)
WIDGETS_HINT = (
    "viz.explore needs the optional packages anywidget and ipywidgets: "
    "pip install 'seegrad[widgets]'"
)

try:
    import anywidget
    import traitlets
except ImportError:  # the base install: explore still exports (ExplorerPage), no widget
    anywidget = traitlets = None


def explore(root: Value, h: float = 1e-3) -> Any:
    """A widget over the graph of ``root`` where every leaf can be nudged (a slider and a number
    field): the forward values, every node's grad (d root / d node) and beside each leaf the
    finite difference (f(x + h) - f(x)) / h, with h adjustable, update on every change. Hover
    or click an op to see its formula and local derivatives at the current values; click a leaf
    to light up every chain-rule path from it to ``root``, with the product along each path and
    their sum (what :func:`autograd.explain` prints).

    The recomputation runs in the page from the op table's JavaScript forms, so the widget also
    works in ``viz.to_html`` files. With a kernel, a nudge also sets the leaf's ``.data`` and
    recomputes the Python graph (``.data`` of every node, ``.grad`` = d root / d node);
    ``explorer.set(leaf, value)`` nudges from Python. Up to 300 Values; a bigger graph (up to
    100,000) gets :class:`autograd.viz.big_explorer_widget.BigExplorer`, collapsed by call.

    The Jupyter widget needs the ``[widgets]`` extra (anywidget); without it ``explore``
    returns an :class:`ExplorerPage`, the same explorer for ``viz.to_html`` (no kernel).
    """
    if not isinstance(h, numbers.Real) or isinstance(h, bool) or not h or not math.isfinite(h):
        raise ValueError(f"explore: h must be a finite non-zero number, got {h!r}")
    if isinstance(root, Value) and len(topological_order(root)) > MAX_VALUES:
        if anywidget is None:
            from .big_explorer import BigExplorerPage

            return BigExplorerPage(root, float(h))
        from .big_explorer_widget import BigExplorer  # up to 100,000 Values, by call

        return BigExplorer(root, float(h))
    if anywidget is None:
        return ExplorerPage(root, float(h))
    return Explorer(root, float(h))


class ExplorerPage:
    """The explorer without the widget packages: what :func:`autograd.viz.to_html` writes
    (every nudge recomputed in the page, no kernel). A Jupyter widget needs
    ``pip install 'seegrad[widgets]'``."""

    def __init__(self, root: Value, h: float) -> None:
        self.root, self.h = root, h
        graph_spec(root, h)  # refuse a graph the page cannot show now, not at export

    def __repr__(self) -> str:
        return f"<explorer page of {self.root!r} (for viz.to_html; {WIDGETS_HINT})>"

    def to_html_document(self) -> str:
        """The explorer as one self-contained HTML page, at the current values."""
        return html_document(graph_spec(self.root, self.h))


class Explorer(anywidget.AnyWidget if anywidget is not None else object):
    """The widget made by :func:`autograd.viz.explore`; see there."""

    if traitlets is not None:
        spec = traitlets.Dict().tag(sync=True)
        leaves = traitlets.List().tag(sync=True)  # the editable leaves' values, in spec order
        state = traitlets.Dict().tag(sync=True)  # the kernel's numbers, for ops w/o a JS form
    _css = style()

    def __init__(self, root: Value, h: float) -> None:
        spec = graph_spec(root, h)
        # The script is built per widget: it holds the JavaScript forms known at this moment.
        super().__init__(
            _esm=f"{script(spec)}\nexport default {{ render }};\n",
            spec=spec,
            leaves=[spec["nodes"][i]["data"] for i in spec["editable"]],
        )
        self.root = root
        self.order = topological_order(root)
        self._editable = [self.order[i] for i in spec["editable"]]
        self.observe(self._on_leaves, names="leaves")
        # The Python graph shows what the page shows from the start: .grad = d root / d node.
        recompute(root, self.order, self._editable, list(self.leaves), h)

    def __repr__(self) -> str:
        # Stable text (no address), so a saved notebook does not change on every run.
        return f"<explorer of {self.root!r}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, and beside it a static picture of the graph for a viewer without the
        widget (GitHub, nbconvert): ``draw_dot``'s, when Graphviz is installed."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        # What a notebook shows before its cells run (or when untrusted): a hint, not only the
        # repr; and the graph as a static picture when Graphviz is installed.
        data["text/plain"] = f"{self!r}\n{UNRUN_HINT}"
        picture = ""
        try:
            from .draw import draw_dot

            picture = draw_dot(self.root)._repr_mimebundle_().get("text/html", "")
        except Exception:
            pass
        data["text/html"] = f'<p style="font-style: italic">{UNRUN_HINT}</p>{picture}'
        return bundle

    def set(self, leaf: Value | str, value: float) -> None:
        """Nudge ``leaf`` (a Value of the graph, or its label) to ``value`` from Python; the
        page and the Python graph follow."""
        target = self._find(leaf)
        if (
            not isinstance(value, numbers.Real)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise ValueError(
                f"explorer.set: the value of {target.label or 'the leaf'} must be a finite "
                f"number, got {value!r}"
            )
        values = list(self.leaves)
        values[self._editable.index(target)] = float(value)
        self.leaves = values

    def _find(self, leaf: Value | str) -> Value:
        for v in self._editable:
            if v is leaf or (isinstance(leaf, str) and v.label == leaf):
                return v
        names = ", ".join(repr(v.label or "?") for v in self._editable)
        raise ValueError(f"explorer.set: {leaf!r} is not a leaf of this graph (leaves: {names})")

    def _on_leaves(self, change: dict) -> None:
        try:
            state = recompute(self.root, self.order, self._editable, change["new"], self.spec["h"])
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            self.state = {"error": str(error)}
            return
        if self.spec["missing"]:
            self.state = state

    def to_html_document(self) -> str:
        """The explorer as one self-contained HTML page, at the current values."""
        spec = graph_spec(self.root, self.spec["h"])
        return html_document(spec)


def recompute(
    root: Value, order: list[Value], leaves: list[Value], values: list[float], h: float
) -> dict:
    """Set each leaf's ``.data``, recompute every node's ``.data`` (each with its own row) and
    set ``.grad`` to d root / d node, from the engine's reverse loop (``backward_steps``). All
    or nothing: on a domain error nothing changes. Returns the numbers the page shows."""
    if len(values) != len(leaves):
        raise ValueError(f"explorer: {len(values)} values for {len(leaves)} leaves")
    for v, x in zip(leaves, values):
        if not isinstance(x, numbers.Real) or not math.isfinite(x):
            raise ValueError(f"{v.label or 'a leaf'} must be a finite number, got {x!r}")
    new = {id(v): float(x) for v, x in zip(leaves, values)}
    local = set_and_backprop(root, order, new)
    f = root.data
    fd = []
    for v in leaves:
        try:
            moved = replay(order, {**new, id(v): new[id(v)] + h})
            fd.append((moved[id(root)] - f) / h)
        except (ValueError, ZeroDivisionError, OverflowError):
            fd.append(None)
    return {
        "data": [v.data for v in order],
        "grad": [v.grad for v in order],
        "fd": _per_node(order, leaves, fd),
        "local": [list(local[id(v)]) for v in order],
    }


def _per_node(order: list[Value], leaves: list[Value], fd: list) -> list:
    by_leaf = {id(v): x for v, x in zip(leaves, fd)}
    return [by_leaf.get(id(v)) for v in order]
