"""The big explorer as a Jupyter widget (anywidget, the ``[widgets]`` extra); the page itself is
:mod:`autograd.viz.big_explorer`, which needs no widget packages."""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from ..core.value import Value
from .big_explorer import (
    BigGraph,
    big_spec,
    html_document,
    script,
    style,
    summary_html,
)
from .replay import set_and_backprop


class BigExplorer(anywidget.AnyWidget):
    """What :func:`autograd.viz.explore` returns for a graph above the small explorer's size:
    the calls as boxes (opened by a click), search by label, a picked parameter's paths to the
    root lit, and a nudge recomputing every data, grad and the leaf's finite difference in the
    page. With a kernel, the Python Values follow each nudge (``.data`` set, ``.grad`` = d root
    / d node)."""

    spec = traitlets.Dict().tag(sync=True)
    nudged = traitlets.Dict().tag(sync=True)  # leaf index (as text) -> value, set by the page
    _css = style()

    def __init__(self, root: Value, h: float) -> None:
        spec = big_spec(root, h)
        module = f"{script(spec['arities'])}\nexport default {{ render }};\n"
        super().__init__(_esm=module, spec=spec)
        self.root = root
        self.h = h
        self.graph = BigGraph(root)
        self.observe(self._on_nudged, names="nudged")

    def __repr__(self) -> str:
        return f"<explorer of {self.root!r} ({self.spec['n']:,} Values)>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, and a static summary for a viewer without it (GitHub, nbconvert)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/html"] = summary_html(self.spec)
        return bundle

    def _on_nudged(self, change: dict) -> None:
        """The page nudged leaves: set them in Python, recompute every ``.data`` and set
        ``.grad`` to d root / d node, as the page shows."""
        order = self.graph.order
        leaves = {id(order[int(key)]): float(value) for key, value in change["new"].items()}
        try:
            set_and_backprop(self.root, order, leaves)
        except (ValueError, ZeroDivisionError, OverflowError):
            return  # the page said so and kept its numbers; so does Python

    def to_html_document(self) -> str:
        """The explorer as one self-contained HTML page, at the current values."""
        return html_document(big_spec(self.root, self.h))
