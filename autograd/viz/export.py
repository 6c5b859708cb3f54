"""``to_html``: any view as one self-contained HTML file (no network, no kernel, ``file://``).

A view plugs in by having a method ``to_html_document() -> str`` that returns a complete page
(the network view and the widgets of :mod:`autograd.viz` have one; :func:`autograd.viz.page.page`
builds a page around HTML made for a notebook output). A graph (``draw_dot``'s result) and a list
of backward steps (``backward_frames``'s result) are handled here directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .files import write_atomic
from .frames import Frame, steps_document
from .graph import Graph
from .page import graph_html, page


def document(view: Any) -> str:
    """The HTML page of ``view`` (what :func:`to_html` writes)."""
    make = getattr(view, "to_html_document", None)
    if callable(make):
        return make()
    if isinstance(view, (list, tuple)) and view and all(isinstance(f, Frame) for f in view):
        return steps_document(list(view))
    if isinstance(view, Graph):
        label = getattr(view.root, "label", "")
        title = f"The graph of {label}" if label else "A computation graph"
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
    write_atomic(path, text)
    return path
