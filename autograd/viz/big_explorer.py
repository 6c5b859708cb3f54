"""The explorer for big graphs (up to 100,000 Values): what ``viz.explore`` shows above the
small explorer's size, as a page that needs no widget packages.

A graph of 60,000 Values cannot be drawn node by node, but it can be recomputed: the page gets
the graph as typed arrays (base64 in the HTML, so a 60,000-Value file stays a few MB), in
topological order:

* ``data``, ``grad``: Float64 arrays, ``grad[i]`` = d root / d node i;
* ``op``: one Int16 code per node (0 for a leaf, k for ``ops[k]``);
* ``start``, ``parents``: the parents of node i are ``parents[start[i]:start[i + 1]]``;
* ``box``: the innermost call (an ``nn`` module call, or a function call recorded by
  ``record_calls``) that made node i, as an index into ``boxes`` (-1: made outside any call).

On a nudge of leaf x the page runs one forward loop and one reverse loop over the arrays with
the op table's JavaScript forms (:mod:`autograd.viz.jsops`): every ``data``, every ``grad``, and
the nudged leaf's finite difference (f(x + h) - f(x)) / h from a second forward pass over the
nodes downstream of x. The picture starts collapsed to the outermost calls (repeated calls of one
function as one box, "softmax x7"); a click opens a box.

:func:`big_spec` builds the spec, :func:`html_document` the self-contained page; the Jupyter
widget around them is :mod:`autograd.viz.big_explorer_widget`.
"""

from __future__ import annotations

import base64
import html
import itertools
from importlib import resources
from typing import Any

import numpy as np

from ..core.backward import topological_order
from ..core.define import redefined_ops
from ..core.value import Constant, Value
from . import jsops
from .escape import script_json
from .explorer_page import op_info
from .replay import gradients, replay, set_and_backprop

MAX_VALUES = 100_000
_ids = itertools.count()


def _b64(values: Any, dtype: str) -> str:
    """``values`` as little-endian bytes of ``dtype``, base64 (what the page's typed arrays
    read)."""
    return base64.b64encode(np.asarray(values, dtype=dtype).tobytes()).decode("ascii")


def decode(text: str, dtype: str) -> np.ndarray:
    """The inverse of the encoding used in the spec (for tests and the kernel)."""
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def editable(v: Value) -> bool:
    """A leaf one may nudge: any leaf but an unnamed constant (the 2 of ``2 * x``)."""
    return v.is_leaf and not (isinstance(v, Constant) and not v.label)


def _box_record(scope: Any, parent: int) -> list:
    """One call: [name, parent box, call number or null, file, line or null]. ``scope`` is an
    ``nn`` module's :class:`~autograd.core.scope.Scope` or a call recorded by ``record_calls``
    (the same interface, plus ``number``, ``file`` and ``line``)."""
    number = getattr(scope, "number", None)
    line = getattr(scope, "line", None)
    return [
        str(scope.name),
        parent,
        number if isinstance(number, int) else None,
        str(getattr(scope, "file", "") or ""),
        line if isinstance(line, int) else None,
    ]


def _boxes(order: list[Value]) -> tuple[list[int], list[list]]:
    """Per node the index of its innermost call (-1: none), and the calls, parents first."""
    index: dict[int, int] = {}
    boxes: list[list] = []
    keep: list[Any] = []  # the scopes stay alive while their ids are keys
    box_of = []
    last_scope: Any = None
    last_box = -1
    for v in order:
        scope = v.scope
        if scope is None:
            box_of.append(-1)
            continue
        if scope is last_scope:  # consecutive nodes of one call: the common case
            box_of.append(last_box)
            continue
        key = id(scope)
        if key not in index:
            parent = -1
            for s in scope.path():
                if id(s) not in index:
                    index[id(s)] = len(boxes)
                    boxes.append(_box_record(s, parent))
                    keep.append(s)
                parent = index[id(s)]
        last_scope, last_box = scope, index[key]
        box_of.append(last_box)
    return box_of, boxes


class BigGraph:
    """The arrays of a graph in topological order, for the spec and for recomputing in Python
    what the page computes (tests, the kernel)."""

    def __init__(self, root: Value) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"explore: root must be a Value, got {type(root).__name__}")
        order = topological_order(root)
        if len(order) > MAX_VALUES:
            raise ValueError(
                f"explore: the graph has {len(order):,} Values; the explorer recomputes up to "
                f"{MAX_VALUES:,} in the page. Explore a smaller piece, e.g. the loss of one "
                "sample or of a shorter sequence"
            )
        self.root = root
        self.order = order
        index = {id(v): i for i, v in enumerate(order)}
        self.index = index
        self.parents = [[index[id(p)] for p in v._parents] for v in order]

    def data(self) -> list[float]:
        return [v.data for v in self.order]

    def nudged(self, leaf: int, value: float, h: float) -> dict[str, Any]:
        """What the page shows after setting leaf ``leaf`` (an index) to ``value``: every
        ``data``, every ``grad`` (d root / d node) and the leaf's finite difference
        (f(x + h) - f(x)) / h (None when x + h leaves an op's domain)."""
        order, ids = self.order, [id(v) for v in self.order]
        saved = [(v.data, v.grad) for v in order]
        try:  # the engine's own replay and reverse loop, on the nodes; then put back
            set_and_backprop(self.root, order, {ids[leaf]: float(value)})
            data, grad = [v.data for v in order], [v.grad for v in order]
        finally:
            for v, (x, g) in zip(order, saved):
                v.data, v.grad = x, g
        try:
            moved = replay(order, {ids[leaf]: data[leaf] + h})
            fd: float | None = (moved[ids[-1]] - data[-1]) / h
        except (ValueError, ZeroDivisionError, OverflowError):
            fd = None
        return {"data": data, "grad": grad, "fd": fd}


def big_spec(root: Value, h: float = 1e-3) -> dict[str, Any]:
    """What the page needs (see the module docstring), as JSON-ready data. Grads are d root /
    d node at the current values, computed here without touching ``.grad``."""
    graph = BigGraph(root)
    order, parents = graph.order, graph.parents
    arities: dict[str, set[int]] = {}
    for v, ps in zip(order, parents):
        if v.op:
            arities.setdefault(v.op, set()).add(len(ps))
    used = sorted(arities)
    code = {name: k + 1 for k, name in enumerate(used)}
    data = graph.data()
    by_id, _ = gradients(root)
    grad = [by_id[id(v)] for v in order]
    start = [0]
    for ps in parents:
        start.append(start[-1] + len(ps))
    box_of, boxes = _boxes(order)
    labels = [v.label for v in order]
    return {
        "uid": next(_ids),
        "n": len(order),
        "root": len(order) - 1,
        "h": h,
        "data": _b64(data, "<f8"),
        "grad": _b64(grad, "<f8"),
        "op": _b64([code[v.op] if v.op else 0 for v in order], "<i2"),
        "start": _b64(start, "<i4"),
        "parents": _b64([p for ps in parents for p in ps], "<i4"),
        "box": _b64(box_of, "<i4"),
        "editable": _b64([i for i, v in enumerate(order) if editable(v)], "<i4"),
        "constant": _b64([i for i, v in enumerate(order) if isinstance(v, Constant)], "<i4"),
        "labels": labels,
        "boxes": boxes,
        "ops": ["", *used],
        "opInfo": op_info(order),
        "arities": {name: sorted(k) for name, k in arities.items()},
        "missing": sorted({*jsops.missing(arities), *redefined_ops(order)}),  # forms go by name
    }


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(f"assets/{name}").read_text(encoding="utf-8")


def script(uses: Any) -> str:
    """The page's JavaScript (no module syntax): ``M``, the op table's forms for ``uses`` (op
    names -> the numbers of inputs used; from :func:`autograd.viz.jsops.table_source`), the
    forward and reverse loops both explorers share (assets/graph.js) and ``render({model, el})``."""
    return f"{jsops.table_source(uses)}\n{_asset('graph.js')}\n{_asset('big_explorer.js')}"


def style() -> str:
    return _asset("big_explorer.css")


def html_document(spec: dict[str, Any], title: str = "seegrad explorer") -> str:
    """One self-contained HTML page (no network, no kernel) running the big explorer of
    ``spec``. User text (labels, call names) travels as JSON data and is shown as text."""
    model = (
        "const model = { kernel: false, values: { spec: JSON.parse("
        "document.getElementById('sg-big-spec').textContent) },\n"
        "  get(key) { return this.values[key]; },\n"
        "  set(key, value) { this.values[key] = value; },\n"
        "  save_changes() {}, on() {}, off() {} };\n"
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>{html.escape(title)}</title>\n<style>{style()}</style></head>\n"
        "<body><div id='explorer'></div>\n"
        f"<script type='application/json' id='sg-big-spec'>{script_json(spec)}</script>\n"
        f"<script>\n{script(spec['arities'])}\n{model}"
        "render({ model, el: document.getElementById('explorer') });\n"
        "</script></body></html>\n"
    )


def summary_html(spec: dict[str, Any]) -> str:
    """A static picture for viewers without the widget (GitHub, nbconvert): the outermost
    calls, each with how many Values it made."""
    box = decode(spec["box"], "<i4")
    boxes = spec["boxes"]
    top = list(range(len(boxes)))
    for k in top:
        while boxes[top[k]][1] != -1:
            top[k] = boxes[top[k]][1]
    counts: dict[str, list[int]] = {}
    for b, c in zip(*np.unique(box[box >= 0], return_counts=True)):
        name = boxes[top[int(b)]][0]
        counts.setdefault(name, [0, 0])[0] += int(c)
    for record in boxes:
        if record[1] == -1:
            counts.setdefault(record[0], [0, 0])[1] += 1
    rows = "".join(
        f"<tr><td>{html.escape(name)}{f' ×{calls}' if calls > 1 else ''}</td>"
        f"<td style='text-align:right'>{values:,}</td></tr>"
        for name, (values, calls) in counts.items()
    )
    outside = int((box < 0).sum())
    return (
        f"<div><i>An explorer of {spec['n']:,} Values: run the notebook in Jupyter (or open its "
        "viz.to_html file) to expand the calls and nudge the leaves.</i>"
        "<table><tr><th>call</th><th>Values</th></tr>"
        f"{rows}<tr><td>outside any call</td><td style='text-align:right'>{outside:,}</td></tr>"
        "</table></div>"
    )


class BigExplorerPage:
    """The big explorer of ``root`` as a page only (no widget packages needed):
    ``viz.to_html(BigExplorerPage(root), path)`` writes it."""

    def __init__(self, root: Value, h: float = 1e-3) -> None:
        self.root = root
        self.h = float(h)

    def to_html_document(self) -> str:
        return html_document(big_spec(self.root, self.h))
