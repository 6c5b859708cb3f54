"""``to_html``: any view as one self-contained HTML file (no network, no kernel, ``file://``).

A view plugs in by having a method ``to_html_document() -> str`` returning a complete page
(the network view, the widgets of :mod:`autograd.viz`); :func:`page` builds one around HTML
made for a notebook output. A graph (``draw_dot``'s result) and a list of backward steps
(``backward_frames``'s result) are handled here directly.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

_STYLE = """body { font-family: Helvetica, Arial, sans-serif; margin: 1em auto; padding: 0 1em;
  max-width: 1800px; color: #222; }
h1 { font-size: 1.1em; font-weight: normal; color: #444; }"""


def page(title: str, body: str, script: str = "") -> str:
    """A complete HTML page: ``title`` as its heading, ``body`` (HTML) below it.

    Nothing is loaded from anywhere: the styles and ``script`` (JavaScript) are inline.
    """
    script_tag = f"<script>\n{script}\n</script>\n" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_STYLE}\n</style></head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n{body}\n{script_tag}</body></html>\n"
    )


def graph_html(graph: Any) -> str:
    """A ``draw_dot`` graph as HTML fitted to the column (needs Graphviz's ``dot``)."""
    fitted = getattr(graph, "html", None)
    if callable(fitted):
        return fitted()
    from .fit import fit_svg

    return fit_svg(graph.pipe(format="svg", encoding="utf-8"))


def document(view: Any) -> str:
    """The HTML page of ``view`` (what :func:`to_html` writes)."""
    make = getattr(view, "to_html_document", None)
    if callable(make):
        return make()
    from .frames import Frame, steps_document
    from .graph import Graph

    if isinstance(view, (list, tuple)) and view and all(isinstance(f, Frame) for f in view):
        return steps_document(list(view))
    if isinstance(view, Graph):
        title = f"Graph of {view.root!r}" if view.root is not None else "Graph"
        return page(title, graph_html(view))
    raise TypeError(
        "to_html: cannot export a "
        f"{type(view).__name__}; it takes draw_dot(...), backward_frames(...), "
        "step_backward(...), interactive(...), draw_network(...), or any object with a "
        "to_html_document() method"
    )


def to_html(view: Any, path: str | Path) -> Path:
    """Write ``view`` as one self-contained HTML file that works offline from ``file://``.

    ``view`` is a graph (``draw_dot``), the backward steps (``backward_frames`` or the
    ``step_backward`` widget: the slider works in the file), the ``interactive`` widget (its
    static picture), the network view (``draw_network``), or any object with a
    ``to_html_document()`` method. Returns the path written.
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"to_html: {path.name!r} must end in .html")
    text = document(view)
    path.write_text(text, encoding="utf-8")
    return path
