"""Kept for old imports: the drawing code lives in :mod:`autograd.viz.draw`."""

from .viz.draw import DotNotFoundError, Graph, draw_dot

__all__ = ["DotNotFoundError", "Graph", "draw_dot"]
