"""``interactive``: a zoomable, searchable graph in Jupyter that needs no ``dot`` program.

It rests on graphviz-anywidget (see :mod:`autograd.viz.dotwidget`), an optional extra:
``pip install 'seegrad[widgets]'``.
"""

from __future__ import annotations

from typing import Any

from ..value import Value
from .dotwidget import WIDGETS_HINT, graphviz_widget, widget_for_source
from .draw import draw_dot

__all__ = ["WIDGETS_HINT", "interactive", "widget_for_source"]


def interactive(root: Value, **options: Any) -> Any:
    """``draw_dot(root, **options)`` as an ipywidgets box: zoom and pan, search nodes by text,
    and click a node to highlight what it depends on (upstream) or what depends on it
    (downstream; pick the direction in the menu).

    Raises ``ImportError`` naming the pip command when the ``[widgets]`` extra is missing.
    """
    make = graphviz_widget()
    return make(draw_dot(root, **options).source)
