"""``interactive``: a zoomable, searchable graph in Jupyter that needs no ``dot`` program.

It rests on graphviz-anywidget (Graphviz compiled to WebAssembly, running in the browser), an
optional extra: ``pip install 'seegrad[widgets]'``.
"""

from __future__ import annotations

from typing import Any

from ..value import Value

WIDGETS_HINT = (
    "the interactive view needs the optional packages graphviz-anywidget, anywidget and "
    "ipywidgets: pip install 'seegrad[widgets]'"
)


def _graphviz_widget() -> Any:
    try:
        from graphviz_anywidget import graphviz_widget
    except ImportError as error:
        raise ImportError(f"autograd.viz.interactive: {WIDGETS_HINT}") from error
    return graphviz_widget


def widget_for_source(dot_source: str) -> Any:
    """The interactive widget for DOT text; ``ImportError`` (with the pip command) if missing."""
    return _graphviz_widget()(dot_source)


def interactive(root: Value, **options: Any) -> Any:
    """``draw_dot(root, **options)`` as an ipywidgets box: zoom and pan, search nodes by text,
    and click a node to highlight what it depends on (upstream) or what depends on it
    (downstream; pick the direction in the menu).

    Raises ``ImportError`` naming the pip command when the ``[widgets]`` extra is missing.
    """
    graphviz_widget = _graphviz_widget()
    from ..draw import draw_dot

    return graphviz_widget(draw_dot(root, **options).source)
