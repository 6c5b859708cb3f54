"""graphviz-anywidget (Graphviz compiled to WebAssembly, in the browser): the interactive graph
that needs no ``dot`` program. An optional extra: ``pip install 'seegrad[widgets]'``."""

from __future__ import annotations

from typing import Any

WIDGETS_HINT = (
    "the interactive view needs the optional packages graphviz-anywidget, anywidget and "
    "ipywidgets: pip install 'seegrad[widgets]'"
)


def graphviz_widget() -> Any:
    """graphviz-anywidget's widget factory; ``ImportError`` naming the pip command if missing."""
    try:
        from graphviz_anywidget import graphviz_widget
    except ImportError as error:
        raise ImportError(f"autograd.viz.interactive: {WIDGETS_HINT}") from error
    return graphviz_widget


def widget_for_source(dot_source: str) -> Any:
    """The interactive widget for DOT text; ``ImportError`` (with the pip command) if missing."""
    return graphviz_widget()(dot_source)
