"""The picture of :func:`autograd.viz.step_backward`: one frame's HTML at a time, scrolled so
that the node being processed is in view (``assets/step_view.js``).

A frame's drawing sits in a box of its own that scrolls at 100 % and 200 % zoom (and when the
drawing is far taller than wide); without a script, stepping on would leave the orange node out
of sight. The script also keeps the zoom picked from one step to the next. It needs anywidget
(the ``[widgets]`` extra); :func:`step_picture` falls back to a plain ``ipywidgets.HTML``.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any


def _script() -> str:
    return resources.files(__package__).joinpath("assets/step_view.js").read_text("utf-8")


def step_picture() -> Any:
    """A widget with a ``value`` (the frame's HTML) that shows it, its current node (SVG class
    ``seegrad-current``, set by :mod:`autograd.viz.draw`) scrolled into view."""
    try:
        return _picture_class()()
    except ImportError:  # ipywidgets alone: the frame, without the scrolling
        import ipywidgets

        return ipywidgets.HTML()


@functools.cache
def _picture_class() -> type:
    import anywidget
    import traitlets

    class StepPicture(anywidget.AnyWidget):
        """One frame of the backward pass, its current node scrolled into view."""

        _esm = _script()
        html = traitlets.Unicode("").tag(sync=True)

        @property
        def value(self) -> str:
            return self.html

        @value.setter
        def value(self, text: str) -> None:
            self.html = text

    return StepPicture
