"""Visual tools around :func:`autograd.draw_dot`.

- :func:`interactive`: a zoomable, searchable view (needs the ``[widgets]`` extra, not ``dot``);
- :func:`backward_frames`, :func:`step_backward`, :func:`write_frames`: backprop step by step;
- :func:`text_tree`: the graph as indented text (what Jupyter shows when ``dot`` is missing);
- :func:`draw_network`: a model's own network view (an ``nn`` model: neurons in layer columns
  and a line per weight; drawn by ``nn``, which knows what a layer is);
- :func:`to_html`: any of these as one self-contained HTML file (works offline from file://).

Each loads its dependencies on first use, so ``import autograd.viz`` stays cheap.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "draw_dot": "autograd.viz.draw",
    "Graph": "autograd.viz.graph",
    "DotNotFoundError": "autograd.viz.graph",
    "interactive": "autograd.viz.widget",
    "explore": "autograd.viz.explorer",
    "add_js_form": "autograd.viz.jsops",
    "backward_frames": "autograd.viz.frames",
    "step_backward": "autograd.viz.frames",
    "write_frames": "autograd.viz.frames",
    "text_tree": "autograd.viz.text",
    "to_html": "autograd.viz.export",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'autograd.viz' has no attribute {name!r}")


def draw_network(model: Any, **options: Any) -> Any:
    """The network view of ``model``: what its ``network_view(**options)`` method draws.

    ``nn``'s modules (``MLP``, ``Layer``, ``Neuron``) have one (:func:`nn.network.draw_network`:
    neurons in layer columns, a line per weight coloured by sign and sized by magnitude, or by
    gradient with ``grads=True``). The engine knows nothing of layers; a model does.
    """
    view = getattr(model, "network_view", None)
    if not callable(view):
        raise TypeError(
            "draw_network: model must be an nn.MLP, nn.Layer or nn.Neuron, got "
            f"{type(model).__name__} (a model draws itself with a network_view method)"
        )
    return view(**options)


__all__ = sorted([*_LAZY, "draw_network"])
