"""``Graph``: a drawing that shows itself in Jupyter, with or without Graphviz's ``dot``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import graphviz

from ..core.value import Value
from .dotwidget import widget_for_source
from .fit import fit_html
from .text import INSTALL_HINT, text_tree


class DotNotFoundError(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` program is not installed (or not on ``PATH``)."""

    def __init__(self) -> None:
        RuntimeError.__init__(
            self,
            "Graphviz's `dot` program was not found on PATH, so the graph cannot be rendered. "
            + INSTALL_HINT,
        )


_FIT_TO_PAGE = 'style="max-width: 100%; height: auto"'


class Graph(graphviz.Digraph):
    """A :class:`graphviz.Digraph` of a Value graph.

    Displays inline in Jupyter. Without ``dot`` it still displays: the interactive widget when
    the ``[widgets]`` extra is installed, else an indented text tree and an install hint.
    ``render`` and ``pipe`` raise :class:`DotNotFoundError` (with the same hint) instead.
    """

    root: Value | None = None
    fmt: str = ".4f"
    caption: str = ""

    def __repr__(self) -> str:
        # Stable text (no memory address), so a saved notebook does not change on every run.
        return f"<graph of {self.root!r}>"

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            if isinstance(error, DotNotFoundError):
                raise
            raise DotNotFoundError() from error

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            raise DotNotFoundError() from error

    def text(self) -> str:
        """The graph as indented text (used when ``dot`` is missing)."""
        if self.root is None:
            return self.source
        return text_tree(self.root, self.fmt)

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        try:
            bundle = super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return self._fallback_bundle()
        svg = bundle.get("image/svg+xml")
        if svg is None:
            return bundle
        if include is None or "text/html" in include:
            # JupyterLab, Notebook 7, nbconvert, VS Code and GitHub prefer HTML, which can fit
            # the drawing to the column. The SVG beside it would only double a notebook's size.
            bundle["text/html"] = fit_html(self._html_svg(svg), self.caption)
            if include is None or "image/svg+xml" not in include:
                del bundle["image/svg+xml"]
                return bundle
        # Front ends that inline the SVG itself shrink it to the page with this.
        bundle["image/svg+xml"] = svg.replace("<svg ", f"<svg {_FIT_TO_PAGE} ", 1)
        return bundle

    def _html_svg(self, svg: str | None = None) -> str:
        """The SVG for an HTML page: without the caption, which the page shows as text."""
        if not self.caption:
            return svg or self.pipe(format="svg", encoding="utf-8")
        bare = self.copy()
        bare.graph_attr.pop("label", None)
        return bare.pipe(format="svg", encoding="utf-8")

    def html(self) -> str:
        """The drawing as HTML that fits a page's column (see :mod:`autograd.viz.fit`)."""
        return fit_html(self._html_svg(), self.caption)

    def svg(self) -> str:
        """The drawing as SVG that shrinks to the page when inlined (no ``_repr_svg_``: IPython
        would add it beside the HTML of :meth:`_repr_mimebundle_`, doubling a notebook)."""
        return self._repr_mimebundle_(include=["image/svg+xml"])["image/svg+xml"]

    def _fallback_bundle(self) -> dict[str, Any]:
        text = f"{self.text()}\n\n{INSTALL_HINT}"
        try:
            widget = widget_for_source(self.source)
        except ImportError:
            widget = None
        if widget is not None:
            bundle = dict(widget._repr_mimebundle_())
            bundle["text/plain"] = text
            return bundle
        import html

        return {"text/plain": text, "text/html": f"<pre>{html.escape(text)}</pre>"}
