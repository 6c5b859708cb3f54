"""``interactive``: a zoomable, searchable graph in Jupyter that needs no ``dot`` program.

It rests on graphviz-anywidget (see :mod:`autograd.viz.dotwidget`), an optional extra:
``pip install 'seegrad[widgets]'``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import graphviz

from ..core.value import Value
from .dotwidget import WIDGETS_HINT, graphviz_widget, widget_for_source
from .draw import draw_dot
from .fit import MIN_TEXT_PX, fit_width
from .graph import Graph
from .page import graph_html, page

__all__ = ["WIDGETS_HINT", "interactive", "widget_for_source", "with_static_picture"]


def interactive(root: Value, **options: Any) -> Any:
    """``draw_dot(root, **options)`` as an ipywidgets box: zoom and pan, search nodes by text,
    and click a node to highlight what it depends on (upstream) or what depends on it
    (downstream; pick the direction in the menu).

    The output also carries the static drawing, for viewers without a kernel (GitHub,
    nbconvert); :func:`autograd.viz.to_html` writes a page with the drawing and the same tools
    (search, zoom, click a node), which works offline (see :func:`interactive_document`).
    Raises ``ImportError`` naming the pip command when the ``[widgets]`` extra is missing.
    """
    make = graphviz_widget()
    graph = draw_dot(root, **options)
    box = make(graph.source)
    _wrap_toolbar(box.children[0])
    note = "An interactive graph (zoom, search): run the notebook in Jupyter to use it."
    return with_static_picture(
        [_fit_style(box.children[-1], graph), *box.children],
        lambda: static_graph_html(graph, note),
        lambda: interactive_document(graph, f"The graph of {root.label or 'a Value'}"),
    )


_TOOLS = """<div class="sg-tools" style="margin: 0 0 0.6em; display: flex; flex-wrap: wrap;
 gap: 0.4em; align-items: center">
<label for="sg-search">search</label>
<input id="sg-search" type="search" placeholder="a label or a number" size="24">
<button id="sg-out" type="button" aria-label="zoom out">&minus;</button>
<span id="sg-zoom">fit</span>
<button id="sg-in" type="button" aria-label="zoom in">+</button>
<button id="sg-fit" type="button">fit</button>
<span id="sg-status" style="color: #555"></span>
</div>
<style>.sg-dim { opacity: 0.2; }
.sg-hit polygon, .sg-hit ellipse, .sg-hit path { stroke: #d62728; stroke-width: 2.5; }</style>"""


def interactive_document(graph: Graph, title: str) -> str:
    """The page :func:`autograd.viz.to_html` writes for :func:`interactive`: the drawing with
    its tools (search, zoom, click a node to light what it depends on and what depends on it),
    in an inline script, so it works offline from ``file://``. Without ``dot``: the text tree."""
    from importlib import resources

    script = resources.files(__package__).joinpath("assets/interactive_page.js")
    picture = static_graph_html(graph)
    if "<svg" not in picture:
        return page(title, picture)
    return page(title, _TOOLS + picture, script.read_text(encoding="utf-8"))


def _wrap_toolbar(toolbar: Any) -> None:
    """The widget's controls on as many lines as the column needs, each label whole (in one
    line, "Search Type:" and its menu ran past a 592 px column and were cut)."""
    toolbar.layout.flex_flow = "row wrap"
    for control in toolbar.children:
        style = getattr(control, "style", None)
        if getattr(control, "description", "") and hasattr(style, "description_width"):
            style.description_width = "initial"


def _fit_style(view: Any, graph: Graph) -> Any:
    """An invisible widget whose CSS scales ``view``'s drawing (laid out in the browser at its
    natural size) down into the column (never up, when ``dot`` can tell the drawing's size);
    the widget's own zoom and pan show the text bigger."""
    import hashlib

    import ipywidgets

    key = "seegrad-graph-" + hashlib.sha1(graph.source.encode()).hexdigest()[:12]
    view.add_class(key)
    rule = "width: 100%; max-width: 100%; height: auto"
    try:
        natural, _ = fit_width(graph.pipe(format="svg", encoding="utf-8"), MIN_TEXT_PX)
        rule = f"width: 100%; max-width: {natural:.0f}px; height: auto"
    except graphviz.ExecutableNotFound:  # no dot here: the browser still draws it
        pass
    css = f".{key} {{ overflow: auto; max-width: 100%; }} .{key} svg {{ {rule}; }}"
    return ipywidgets.HTML(f"<style>{css}</style>", layout=ipywidgets.Layout(height="0px"))


def with_static_picture(
    children: list[Any], static_html: Callable[[], str], document: Callable[[], str]
) -> Any:
    """An ``ipywidgets.VBox`` of ``children`` whose output also carries a static picture.

    Its mimebundle holds the widget view and, beside it, ``static_html()`` as ``text/html``:
    JupyterLab with a kernel shows the widget; GitHub, nbconvert and a notebook saved without
    widget state show the picture. ``to_html_document()`` returns ``document()``, the page
    :func:`autograd.viz.to_html` writes.
    """
    return _static_box_class()(children, static_html, document)


@functools.cache
def _static_box_class() -> type:
    import ipywidgets

    class StaticPictureBox(ipywidgets.VBox):
        """A VBox with a static picture for viewers without a kernel (see
        :func:`with_static_picture`)."""

        def __init__(
            self, children: list[Any], static_html: Callable[[], str], document: Callable[[], str]
        ) -> None:
            super().__init__(children)
            self._static_html = static_html
            self._document = document

        def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
            bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
            bundle["text/html"] = self._static_html()
            return bundle

        def to_html_document(self) -> str:
            return self._document()

    return StaticPictureBox


def static_graph_html(graph: Graph, note: str = "") -> str:
    """``graph`` as a picture fitted to the column (``note`` above it, in italics); without
    ``dot``, its text tree."""
    import html

    try:
        picture = graph_html(graph)
    except graphviz.ExecutableNotFound:
        picture = f"<pre>{html.escape(graph.text())}</pre>"
    if note:
        picture = f'<div style="font-style:italic;color:#555">{html.escape(note)}</div>{picture}'
    return picture
