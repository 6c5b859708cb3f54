"""``draw_dot``: the computation graph as a Graphviz picture.

One record node per Value (label, data, grad) and one node per operation, named by the op
table. Node names are ``v0, v1, ...`` in topological order (the op that made ``v3`` is ``o3``,
a collapsed module is ``m0, m1, ...``, a cluster ``cluster_0, ...``), so the DOT text of a graph
is always the same. User strings only ever reach label text, escaped (see ``autograd.viz.escape``).

Colours by role:

- output (the root): green;
- input (a leaf made by the user, or a named number such as nn's x0, x1): blue;
- parameter (a leaf that is a weight or bias): yellow. A leaf is a parameter when it is in
  ``params=`` if given; otherwise when a module whose call made part of the graph lists it in
  its ``parameters()``, or when its label is ``w`` or ``b``, optionally followed by a digit or
  ``_`` and anything (``w1``, ``b``, ``w_2``), or starts with ``weight`` or ``bias``;
- constant (an unnamed number from an expression such as ``2 * x``): grey;
- a collapsed module: lilac.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import graphviz

from ..core.backward import topological_order
from ..core.ops import OPS
from ..core.value import Scope, Value
from . import escape
from .explain import local_derivatives
from .graph import DotNotFoundError, Graph
from .layout import SAMPLE, Layout, sample_term
from .rows import wrap_rows
from .text import number, value_names

__all__ = ["DotNotFoundError", "Graph", "Style", "draw_dot", "draw_styled"]

RANKDIRS = ("LR", "RL", "TB", "BT")
FILL = {
    "output": "#c7f0c2",
    "input": "#cfe3fa",
    "parameter": "#fbe7a1",
    "constant": "#e4e4e4",
    "inner": "#ffffff",
    "module": "#e6dcf5",
}
CURRENT = "#ff9f43"  # the node backward is working on (step-by-step frames)
CURRENT_CLASS = "seegrad-current"  # its SVG class, for the step view's script
UPDATED = "#c0392b"  # outline of nodes that just received gradient
HIGHLIGHT = "#d62728"  # the node draw_dot(highlight=...) points at (a gradcheck culprit)
EDGE_LABEL = "#1f4e9c"  # local derivatives written on edges
FONT = "Helvetica"
_NODE_ID = re.compile(r"\bv\d+\b")  # a node's id, as value_names writes it for a long expression
CAPTION_CHARS = 90  # a caption inside a picture breaks its lines at about this many characters


def wrap(text: str, width: int) -> str:
    """``text`` with each of its lines broken at spaces to at most ``width`` characters."""
    import textwrap

    return "\n".join(
        "\n".join(textwrap.wrap(line, width, break_long_words=False) or [""])
        for line in text.split("\n")
    )


@dataclass
class Style:
    """What a step-by-step frame changes about an otherwise ordinary drawing (see
    :func:`draw_styled`; :mod:`autograd.viz.frames` uses it)."""

    grads: Mapping[int, float | None] | None = None  # id(value) -> grad shown (None: not yet)
    current: int | None = None  # id of the value whose op is being processed
    updated: frozenset[int] = field(default_factory=frozenset)  # ids that just got gradient
    caption: str = ""
    highlight: int | None = None  # id of a value drawn in red with its op and in-edges


def draw_dot(
    root: Value,
    rankdir: str | None = None,
    *,
    fmt: str = ".4f",
    edge_labels: bool = False,
    cluster: str | None = None,
    collapse: str | int | None = None,
    max_nodes: int = 300,
    params: Iterable[Value] | None = None,
    show_grad: bool = True,
    sample: int | None = None,
    highlight: Value | None = None,
    depth: int = 1,
    open: object = None,  # noqa: A002  (a call view's keyword: open this call)
) -> Graph:
    """The graph of everything ``root`` depends on, as a :class:`graphviz.Digraph`.

    Args:
        root: the Value to draw (drawn last, in green).
        rankdir: "LR" (inputs on the left), "TB", "RL" or "BT". The default is "LR", except
            that a long chain of ops is drawn in rows read like text (see
            :mod:`autograd.viz.rows`) and the call view runs "TB" (a program's calls run down
            the page).
        fmt: format spec for data and grad, e.g. ".4f" or ".3g".
        edge_labels: write on each edge into an op the local derivative d out / d in, from the
            op table, so that the chain rule can be read off the picture.
        cluster: "module" boxes the Values made inside each nn module call (nested).
        collapse: "neuron", "layer" (any module class name, lower case) or a scope depth
            (1 = outermost module calls): draw each such module call as one node showing its
            output's data and grad. The parameters used only inside it are folded in (those
            used only inside several are left out); edges into a collapsed module carry no
            derivative label. "sample": one node per model call of a batch loss, with its
            inputs and its term of the loss. "call": the call view of a graph built inside
            ``autograd.record_calls()`` (or of nn module calls), one box per call at
            ``depth``, like calls grouped ("softmax x4"); see :mod:`autograd.viz.calls`.
        max_nodes: refuse (``ValueError``) to draw more than this many nodes.
        params: the leaves to colour as parameters (default: see the module docstring).
        show_grad: include the grad field (False for a graph before any backward pass).
        sample: for a loss over a batch (a model called once per sample), draw only sample
            ``sample``'s term of the loss and what it depends on (numbered from 0 in the order
            the model was called). Grads shown are the whole batch's.
        highlight: a Value of the graph to mark in red, with its op and the edges into it
            (``GradcheckError.culprit``, the node whose own derivative is wrong).
        depth: with collapse="call", how many levels of calls to open (1: the top calls).
        open: with collapse="call", the call to draw on its own: a Call, or a path of call
            names such as ``"gpt#3/attention#3"`` (``#n``: the n-th call of that function).

    Returns a :class:`Graph`: display it in Jupyter, or ``.render(path, format="png")``.
    """
    if collapse == "call":
        rankdir = rankdir or "TB"
        from .calls import draw_calls  # the call view (autograd/viz/calls.py)

        _check_options(root, rankdir, fmt, cluster, collapse, max_nodes)
        return draw_calls(root, depth=depth, open=open, rankdir=rankdir, max_nodes=max_nodes)
    if open is not None or depth != 1:
        raise ValueError("draw_dot: depth= and open= go with collapse='call'")
    caption = ""
    asked = {"sample": sample, "rankdir": rankdir, "edge_labels": edge_labels, "cluster": cluster}
    batch = root
    if sample is not None:
        if not isinstance(root, Value):
            raise TypeError(f"draw_dot: root must be a Value, got {type(root).__name__}")
        root, count = sample_term(root, sample)
        caption = (
            f"sample {sample} of {count}: its term of the loss and what it depends on; the "
            f"grads are the whole batch's (a parameter's grad sums over all {count} samples)"
        )
    return draw_styled(
        root,
        rankdir=rankdir,
        fmt=fmt,
        edge_labels=edge_labels,
        cluster=cluster,
        collapse=collapse,
        max_nodes=max_nodes,
        params=params,
        show_grad=show_grad,
        style=Style(caption=caption, highlight=_highlighted(root, highlight)),
        asked=(batch, asked),
    )


def _highlighted(root: Value, node: object) -> int | None:
    if node is None:
        return None
    if not isinstance(node, Value):
        raise TypeError(f"draw_dot: highlight must be a Value, got {type(node).__name__}")
    if not any(v is node for v in topological_order(root)):
        raise ValueError("draw_dot: the highlighted Value is not in the graph of root")
    return id(node)


def _check_options(
    root: object,
    rankdir: str | None,
    fmt: str,
    cluster: object,
    collapse: object,
    max_nodes: object,
) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: root must be a Value, got {type(root).__name__}")
    if rankdir is not None and rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    try:
        format(1.0, fmt)
    except (ValueError, TypeError):
        raise ValueError(
            f"draw_dot: fmt={fmt!r} is not a format spec for floats (try '.4f')"
        ) from None
    if cluster not in (None, "module"):
        raise ValueError(f"draw_dot: cluster must be None or 'module', got {cluster!r}")
    if not (
        collapse is None
        or (isinstance(collapse, str) and collapse)
        or (isinstance(collapse, int) and not isinstance(collapse, bool) and collapse >= 1)
    ):
        raise ValueError(
            "draw_dot: collapse must be a module class name such as 'neuron' or 'layer', "
            f"or a scope depth >= 1, got {collapse!r}"
        )
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_dot: max_nodes must be a positive int, got {max_nodes!r}")


def draw_styled(
    root: Value,
    *,
    rankdir: str | None = None,
    fmt: str = ".4f",
    edge_labels: bool = False,
    cluster: str | None = None,
    collapse: str | int | None = None,
    max_nodes: int = 300,
    params: Iterable[Value] | None = None,
    show_grad: bool = True,
    style: Style | None = None,
    graph_class: type[Graph] = Graph,
    asked: tuple[Value, dict] | None = None,
) -> Graph:
    """:func:`draw_dot` with a :class:`Style` on top, drawn as an instance of ``graph_class``.
    ``asked``: the caller's batch root and draw_dot options, kept in the size guard's advice.
    ``rankdir=None``: "LR", or rows for a long chain (:func:`autograd.viz.rows.wrap_rows`)."""
    _check_options(root, rankdir, fmt, cluster, collapse, max_nodes)
    wrap_long = rankdir is None
    rankdir = rankdir or "LR"
    layout = Layout(root, collapse, params)
    count = layout.node_count()
    if count > max_nodes:
        raise ValueError(
            f"draw_dot: the graph has {count} nodes to draw, more than max_nodes={max_nodes}; "
            "a picture that big is unreadable. To see it: "
            f"{_advice(layout, params, max_nodes, asked)}"
            f"or raise the limit with max_nodes={count}."
        )
    style = style or Style()
    graph = graph_class(
        graph_attr={
            "rankdir": rankdir,
            "fontname": FONT,
            "nodesep": "0.2",
            "ranksep": "0.15" if edge_labels else "0.3",  # edge labels hold ranks apart
            "ordering": "in",  # an op's inputs in their order: x before w, w0 before w1
        },
        node_attr={"fontname": FONT, "fontsize": "11", "height": "0.3"},
        edge_attr={"fontname": FONT, "fontsize": "11", "arrowsize": "0.6", "color": "#555555"},
    )
    notes = [style.caption] if style.caption else []
    if layout.hidden:
        notes.append(
            f"{len(layout.hidden)} parameters used inside several collapsed nodes are not drawn"
        )
    if edge_labels and not style.grads:
        notes.append("numbers on edges: local derivative ∂out/∂in of each op, from the op table")
    caption = "\n".join(notes)
    graph.root, graph.fmt, graph.caption = root, fmt, caption
    if layout.groups:
        # Fans of edges between collapsed modules need room, and neurons read best in order.
        graph.graph_attr.update(ranksep="0.5", ordering="out")
    if caption:
        # In graph_attr (not a statement of the body), so an HTML view can drop it and show
        # the caption as text that wraps; in a picture it is wrapped here.
        text = escape.label(escape.plain(wrap(caption, CAPTION_CHARS)))
        graph.graph_attr.update(label=text, labelloc="t", labeljust="l", fontsize="12")
    painter = _Painter(layout, style, fmt, rankdir, edge_labels, show_grad, cluster == "module")
    painter.paint()
    if wrap_long and not layout.groups and not painter.clustered:
        _wrap_in_rows(graph, painter)
    _emit(graph, painter.placed, painter.clustered, painter.rows)
    for tail, head, attrs in painter.edges:
        graph.edge(tail, head, **attrs)
    return graph


# The views the size guard may suggest, most legible first. Each is tried with the caller's own
# options (a caller's sample= is kept) and named only if it draws within max_nodes. "sample": the
# caller's sample, else 0. One line per view: a new collapse= is a one-line addition.
SUGGESTED_VIEWS: list[dict[str, object]] = [
    {"collapse": SAMPLE},
    {"sample": "sample"},
    {"sample": "sample", "collapse": "neuron"},
    {"sample": "sample", "collapse": "layer"},
    {"collapse": "neuron"},
    {"collapse": "layer"},
]
MAX_SUGGESTIONS = 3
# For a graph made outside any module call, where no collapse= applies.
NO_MODULES_ADVICE = (
    "build it inside `with autograd.record_calls():` and draw it by your own functions "
    "with draw_dot(root, collapse='call'), or draw a Value nearer the inputs; "
)
CALL_VIEW_ADVICE = "draw_dot(root, collapse='call') draws it one box per call; "
_DEFAULTS = {"sample": None, "rankdir": "LR", "edge_labels": False, "cluster": None}


def suggested_calls(
    root: Value, asked: dict, params: Iterable[Value] | None, max_nodes: int
) -> list[tuple[dict, int]]:
    """The draw_dot options (the caller's, changed by one of :data:`SUGGESTED_VIEWS`) that draw
    the graph of ``root`` within ``max_nodes``, with their node counts, most legible first."""
    found: list[tuple[dict, int]] = []
    for view in SUGGESTED_VIEWS:
        options = {k: v for k, v in asked.items() if v != _DEFAULTS.get(k)}
        options.update(view)
        if options.get("sample") == "sample":
            options["sample"] = asked.get("sample") or 0
        if "collapse" not in view and asked.get("sample") is not None and "sample" not in view:
            continue  # the caller's one sample is kept: whole-batch views come with sample=
        if options.get("collapse") == SAMPLE and "sample" in options:
            continue  # one sample's term has no samples to collapse
        try:
            term = root
            if options.get("sample") is not None:
                term, _ = sample_term(root, options["sample"])
            count = Layout(term, options.get("collapse"), params).node_count()
        except ValueError:  # no such module calls, or no such sample
            continue
        if count <= max_nodes and all(options != seen for seen, _ in found):
            found.append((options, count))
    return found[:MAX_SUGGESTIONS]


def _call_text(options: dict, params: Iterable[Value] | None) -> str:
    order = ["sample", "collapse", "cluster", "rankdir", "edge_labels"]
    words = [f"{k}={options[k]!r}" for k in order if k in options]
    if params is not None:
        words.append("params=params")
    return f"draw_dot(root, {', '.join(words)})"


def _advice(
    layout: Layout,
    params: Iterable[Value] | None,
    max_nodes: int,
    asked: tuple[Value, dict] | None = None,
) -> str:
    """The calls that draw this graph within ``max_nodes`` (only ones that work), as text."""
    root, options = asked if asked is not None else (layout.root, {})
    order = topological_order(root)
    if all(v.scope is None for v in order):
        return NO_MODULES_ADVICE
    calls = any(type(v.scope).__name__ == "Call" for v in order)
    return (CALL_VIEW_ADVICE if calls else "") + "".join(
        f"{_call_text(call, params)} draws it as {count} nodes; "
        for call, count in suggested_calls(root, options, params, max_nodes)
    )


class _Painter:
    """Turns a :class:`Layout` into node and edge statements (names and attributes)."""

    def __init__(
        self,
        layout: Layout,
        style: Style,
        fmt: str,
        rankdir: str,
        edge_labels: bool,
        show_grad: bool,
        clustered: bool,
    ) -> None:
        self.layout, self.style, self.fmt = layout, style, fmt
        self.flat = rankdir in ("TB", "BT")  # records lay fields out across the rank direction
        self.edge_labels, self.show_grad, self.clustered = edge_labels, show_grad, clustered
        self.names = value_names(layout.order)
        self.group_names = {sid: f"m{k}" for k, sid in enumerate(layout.groups)}
        # Each node: (name, attributes, the scope whose cluster box holds it).
        self.placed: list[tuple[str, dict[str, str], Scope | None]] = []
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        # Leaves to keep in one column in their order (an op's weights w0, w1, ..., b; a
        # model's inputs x0, x1 before everything): (cluster scope, node names, rank).
        self.rows: list[tuple[Scope | None, list[str], str]] = []

    def paint(self) -> None:
        layout = self.layout
        if any(v.scope is not None for v in layout.order):
            inputs: dict[int | None, tuple[Scope | None, list[str]]] = {}
            for v in layout.order:
                if v.is_leaf and layout.role[id(v)] == "input" and id(v) not in layout.group_of:
                    home = layout.home_scope(v) if self.clustered else None
                    row = inputs.setdefault(None if home is None else id(home), (home, []))
                    row[1].append(f"v{layout.index[id(v)]}")
            for home, names in inputs.values():
                self.rows.append((home, names, "source" if home is None else "min"))
        groups_drawn: set[int] = set()
        group_edges: set[tuple[str, str]] = set()
        # Between collapsed modules edges are many (n*m per pair of layers): draw them light.
        module_edge = {"color": "#55555566", "arrowsize": "0.4", "penwidth": "0.7"}
        for v in layout.order:
            if id(v) in layout.hidden:
                continue
            sid = layout.group_of.get(id(v))
            if sid is None:
                self.value_node(v)
                if not v.is_leaf:
                    self.op_node(v)
            elif sid not in groups_drawn:
                groups_drawn.add(sid)
                self.group_node(sid)
            if sid is None or v.is_leaf:
                continue
            for p in v.parents:
                if id(p) in layout.hidden:
                    continue
                edge = (self.drawn_name(p), self.group_names[sid])
                if layout.group_of.get(id(p)) != sid and edge not in group_edges:
                    group_edges.add(edge)
                    self.edges.append((*edge, module_edge))

    # -- text ---------------------------------------------------------------------------------

    def record(self, fields: list[str]) -> str:
        """A label with ``fields`` stacked one above the other, whatever the direction (side by
        side, the notes' neuron is twice as wide as a notebook column)."""
        return escape.html_rows(fields)

    def grad_text(self, v: Value) -> str:
        g = v.grad if self.style.grads is None else self.style.grads.get(id(v))
        return "grad ?" if g is None else f"grad {number(g, self.fmt)}"

    def name(self, v: Value) -> str:
        """What a reader calls ``v``: its label (placed when several share it), the expression
        that made it, or, where that is long, what made it; never its node id."""
        name = self.names[id(v)]
        if v.label or not _NODE_ID.search(name):  # value_names falls back on ids (v23**2)
            return name
        if v.is_leaf:
            return "a leaf without a label"
        return f"the result of a {OPS[v.op].label} op"

    def box_name(self, v: Value) -> str:
        """A labelled value's name in its box: the label; where several share it (every
        neuron's w0) and no cluster box says where each sits, the label placed as captions name
        it, ``w0[layer 1 / neuron 2]``, ``x0[sample 3]``."""
        name, plain = self.names[id(v)], v.label.replace("\n", " ")
        placed = name.startswith(plain + "[") and not _NODE_ID.search(name[len(plain) :])
        return name if placed and not self.clustered else v.label

    def drawn_name(self, v: Value) -> str:
        sid = self.layout.group_of.get(id(v))
        return self.group_names[sid] if sid is not None else f"v{self.layout.index[id(v)]}"

    # -- nodes --------------------------------------------------------------------------------

    def value_node(self, v: Value) -> None:
        fields = [self.box_name(v)] if v.label else []
        fields.append(f"data {number(v.data, self.fmt)}")
        if self.show_grad:
            fields.append(self.grad_text(v))
        attrs = {"label": self.record(fields), "shape": "box", "style": "filled", "margin": "0"}
        attrs["fillcolor"] = FILL[self.layout.role[id(v)]]
        # On hover: the whole name and numbers (without it a browser shows the node's id, v3).
        numbers = fields[1:] if v.label else fields
        attrs["tooltip"] = escape.tooltip("\n".join([self.name(v), *numbers]))
        if id(v) == self.style.current:
            # The class lets the step view scroll it into view (autograd/viz/step_view.py).
            attrs.update(fillcolor=CURRENT, penwidth="2.5", **{"class": CURRENT_CLASS})
        elif id(v) in self.style.updated:
            attrs.update(color=UPDATED, penwidth="2.5")
        if id(v) == self.style.highlight:
            attrs.update(color=HIGHLIGHT, penwidth="3")
        self.placed.append((f"v{self.layout.index[id(v)]}", attrs, self.layout.home_scope(v)))

    def op_node(self, v: Value) -> None:
        """The op that made ``v``, its edge to ``v`` and the edges from its inputs."""
        i = self.layout.index[id(v)]
        attrs = {"label": escape.label(escape.plain(OPS[v.op].label)), "shape": "ellipse"}
        attrs["tooltip"] = escape.tooltip(f"the {OPS[v.op].label} op that makes {self.name(v)}")
        attrs.update(margin="0.02,0.01", width="0.3", height="0.25")
        current = id(v) == self.style.current
        if current:
            attrs.update(style="filled", fillcolor=CURRENT, penwidth="2")
        flagged = id(v) == self.style.highlight
        red = {"color": HIGHLIGHT, "penwidth": "2.5"} if flagged else {}
        if flagged:
            attrs.update(style="filled", fillcolor=HIGHLIGHT, fontcolor="white", **red)
        home = self.layout.home_scope(v)
        self.placed.append((f"o{i}", attrs, home))
        leaves = [
            f"v{self.layout.index[id(p)]}"
            for p in dict.fromkeys(v.parents)
            if p.is_leaf
            and id(p) not in self.layout.group_of
            and id(p) not in self.layout.hidden
            and self.layout.home_scope(p) is home
        ]
        if len(leaves) > 1:
            self.rows.append((home, leaves, "same"))
        self.edges.append((f"o{i}", f"v{i}", dict(red)))
        labels: list[str] = []
        if self.edge_labels:
            try:
                labels = [number(d, self.fmt) for d in local_derivatives(v)]
            except (ZeroDivisionError, OverflowError, ValueError):  # sqrt at 0, say
                labels = ["undefined"] * len(v.parents)
        for k, p in enumerate(v.parents):
            edge: dict[str, str] = {}
            if self.edge_labels:
                edge.update(label=escape.label(escape.plain(labels[k])))
                # Placed by the layout beside its edge, so it crosses no other edge (decorate's
                # underline to the edge did).
                edge.update(fontcolor=EDGE_LABEL)
            if current:
                edge.update(color=UPDATED, penwidth="2")
            if flagged:
                edge.update(red, fontcolor=HIGHLIGHT)
            self.edges.append((self.drawn_name(p), f"o{i}", edge))

    def group_node(self, sid: int) -> None:
        """A collapsed module call: its name beside its outputs' data and grad."""
        layout, scope = self.layout, self.layout.groups[sid]
        members = layout.members[sid]
        outputs = layout.group_outputs(sid)
        # Without cluster boxes, the enclosing call's name tells "neuron 3" of layer 1 and 2 apart.
        path = scope.path()
        title = scope.name if self.clustered or len(path) < 2 else f"{path[-2].name} / {scope.name}"
        title = layout.titles.get(sid, title)
        column = []
        named = [v for v in members if v.is_leaf and v.label and layout.role[id(v)] == "input"]
        if named and sid in layout.titles:  # a sample: the inputs it was given
            shown = [f"{v.label} {number(v.data, self.fmt)}" for v in named[:4]]
            column.append("  ".join(shown) + ("  ..." if len(named) > 4 else ""))
        for k, v in enumerate(outputs[:8]):
            text = f"out {k + 1}: " if len(outputs) > 1 else ""
            if sid in layout.titles:  # a sample: what leaves it is its term of the loss
                text = "term: "
            text += f"data {number(v.data, self.fmt)}"
            column.append(f"{text}  {self.grad_text(v)}" if self.show_grad else text)
        if len(outputs) > 8:
            column.append(f"... {len(outputs) - 8} more outputs")
        attrs = {"label": self.record([title, *column]), "shape": "box", "margin": "0.1,0"}
        attrs["tooltip"] = escape.tooltip(" / ".join(s.name for s in path))
        attrs.update(style="filled,rounded", fillcolor=FILL["module"])
        ids = {id(v) for v in members}
        if self.style.current in ids:
            attrs.update(fillcolor=CURRENT, penwidth="2.5")
        elif ids & self.style.updated:
            attrs.update(color=UPDATED, penwidth="2.5")
        if layout.root in members:
            attrs["penwidth"] = "2"
        self.placed.append((self.group_names[sid], attrs, scope.parent))


def _wrap_in_rows(graph: Graph, painter: _Painter) -> None:
    """A long chain in rows: top to bottom, each row one rank read left to right, the edge
    from a row's end to the next row's start spanning two ranks (a row's side inputs, such as
    the constant of ``x * 0.9``, sit on the rank between, above their op)."""
    names = [name for name, _, _ in painter.placed]
    rows = wrap_rows(names, [(tail, head) for tail, head, _ in painter.edges])
    if rows is None:
        return
    graph.graph_attr.update(rankdir="TB", ranksep="0.25")
    graph.graph_attr.pop("ordering", None)  # flat edges order a row; "in" would fight them
    starts = {row[0]: k for k, row in enumerate(rows)}
    for k, (tail, head, attrs) in enumerate(painter.edges):
        if head in starts and starts[head] > 0 and rows[starts[head] - 1][-1] == tail:
            # No pull on where the rows sit: the invisible edges below align their starts.
            painter.edges[k] = (tail, head, {**attrs, "minlen": "2", "weight": "0"})
    for above, below in itertools.pairwise(rows):
        painter.edges.append(
            (above[0], below[0], {"style": "invis", "minlen": "2", "weight": "100"})
        )
    # Rows of an op's leaves would pull a side input into the spine's row: only the spine's.
    painter.rows[:] = [(None, row, "same") for row in rows]


def _row(target: graphviz.Digraph, names: list[str], rank: str) -> None:
    """``names`` in one rank, in this order (invisible edges between neighbours)."""
    with target.subgraph() as row:
        row.attr(rank=rank)
        for tail, head in itertools.pairwise(names):
            row.edge(tail, head, style="invis")


def _emit(
    graph: Graph,
    placed: list[tuple[str, dict[str, str], Scope | None]],
    clustered: bool,
    rows: list[tuple[Scope | None, list[str], str]],
) -> None:
    """Add the nodes, inside nested cluster boxes (one per module call) when ``clustered``."""
    if not clustered:
        for name, attrs, _ in placed:
            graph.node(name, **attrs)
        for _, names, rank in rows:
            _row(graph, names, rank)
        return
    # A tree of scopes: each scope's own nodes and child scopes, in order of first appearance.
    own: dict[int | None, list[tuple[str, dict[str, str]]]] = {None: []}
    children: dict[int | None, list[Scope]] = {None: []}
    for name, attrs, scope in placed:
        path = scope.path() if scope is not None else []
        parent: int | None = None
        for s in path:
            if id(s) not in own:
                own[id(s)] = []
                children[id(s)] = []
                children[parent].append(s)
            parent = id(s)
        own[parent].append((name, attrs))
    counter = iter(range(len(own)))

    # Inside cluster boxes dot reads a row bottom to top (Graphviz 2.43 to 12; checked by
    # test_draw_render), and only keeps it with remincross off.
    graph.graph_attr["remincross"] = "false"
    rows_in: dict[int | None, list[tuple[list[str], str]]] = {}
    for scope, names, rank in rows:
        key = None if scope is None else id(scope)
        rows_in.setdefault(key, []).append((names[::-1] if key is not None else names, rank))

    def fill(target: graphviz.Digraph, key: int | None) -> None:
        for name, attrs in own[key]:
            target.node(name, **attrs)
        for names, rank in rows_in.get(key, []):
            _row(target, names, rank)
        for scope in children[key]:
            with target.subgraph(name=f"cluster_{next(counter)}") as box:
                box.attr(
                    label=escape.label(escape.plain(scope.name)),
                    style="rounded,dashed",
                    color="#8e7cc3",
                    fontsize="11",
                    labeljust="l",
                )
                fill(box, id(scope))

    fill(graph, None)
