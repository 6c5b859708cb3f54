"""The call view: ``draw_dot(root, collapse="call", depth=1, open=None)``.

One box per call instance of the user's functions (recorded by ``autograd.record_calls()``) or
per ``nn`` module call, at ``depth`` levels below the drawing's top: the call that ``open=``
names, or else the deepest call that made every node of the graph (a loss built inside one
``document_loss`` call is drawn from inside it). Calls above ``depth`` are opened: drawn as a
frame around their children, with one box for the Values they made themselves ("own").

Repeated structure is shown as such: consecutive sibling calls of the same function with the
same shape (as many Values made, taken in and given out), none feeding the next, are one box
"softmax x4". An edge runs from box A to box B when a Value made in A is an input of an op in
B; its label counts such Values. Each box shows its name, how many Values go in (from other
boxes and leaves) and come out (used by other boxes, or the root), how many Values it made,
and the largest |grad| among them. Leaves (parameters, inputs, constants) are not drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import graphviz

from ..core.backward import topological_order
from ..core.value import Value
from . import escape
from .graph import Graph
from .text import number

__all__ = ["draw_calls", "resolve_open"]

FILL = {"call": "#e6dcf5", "own": "#f4f4f4", "root": "#c7f0c2", "outside": "#cfe3fa"}
FONT = "Helvetica"

Path = tuple  # of Call / Scope objects, outermost first


def _key(scope: object) -> str:
    """``gpt#3`` for a Call, the module's name for an nn Scope."""
    return getattr(scope, "key", None) or scope.name  # type: ignore[attr-defined]


@dataclass
class _Node:
    """A box: the Values of one call (or a group of like calls), or a call's own Values."""

    name: str
    calls: list = field(default_factory=list)  # the Call/Scope objects it stands for
    own: bool = False  # the Values an opened call made itself
    values: list[Value] = field(default_factory=list)
    inputs: set[int] = field(default_factory=set)
    outputs: set[int] = field(default_factory=set)
    parent: Path = ()  # the opened call it sits in (relative path)

    def shape(self) -> tuple:
        name = self.calls[0].name if self.calls else self.name
        return (name, len(self.values), len(self.inputs), len(self.outputs))


def resolve_open(root: Value, open_: object, paths: dict[int, Path] | None = None) -> object:
    """The Call or Scope that ``open=`` names in ``root``'s graph: one of them, or a path of
    keys or names such as ``"gpt#3/attention#3"`` matching the end of a call's path."""
    if paths is None:
        paths = _scope_paths(topological_order(root))
    scopes = {id(s): s for path in paths.values() for s in path}
    if not isinstance(open_, str):
        if id(open_) in scopes:
            return open_
        raise ValueError(f"draw_dot: open={open_!r} made no Value of this graph")
    steps = [s for s in open_.split("/") if s]
    if not steps:
        raise ValueError("draw_dot: open='' names no call; give a path such as 'gpt#2/linear#5'")
    found = []
    for path in {id(p[-1]): p for p in paths.values() if p}.values():
        for end in range(len(path), 0, -1):  # the scope path[end - 1] and its ancestors
            tail = path[max(0, end - len(steps)) : end]
            if len(tail) == len(steps) and all(
                step in (_key(s), s.name) for step, s in zip(steps, tail)
            ):
                if not any(f is path[end - 1] for f in found):
                    found.append(path[end - 1])
    if len(found) == 1:
        return found[0]
    some = ", ".join(sorted({"/".join(_key(s) for s in _path(f)) for f in found})[:5])
    if not found:
        known = sorted({_key(s) for path in paths.values() for s in path})[:8]
        raise ValueError(
            f"draw_dot: open={open_!r} names no call of this graph; calls include "
            f"{', '.join(known)}"
        )
    raise ValueError(
        f"draw_dot: open={open_!r} names {len(found)} calls ({some}, ...); add #n to a step"
    )


def _path(scope: object) -> Path:
    return tuple(scope.path())  # type: ignore[attr-defined]


def _scope_paths(order: Sequence[Value]) -> dict[int, Path]:
    """id(value) -> the path of the calls that made it (non-leaf Values with a scope)."""
    cache: dict[int, Path] = {}
    out: dict[int, Path] = {}
    for v in order:
        if v.is_leaf:
            continue
        scope = v.scope
        if scope is None:
            out[id(v)] = ()
            continue
        path = cache.get(id(scope))
        if path is None:
            path = cache[id(scope)] = _path(scope)
        out[id(v)] = path
    return out


def _common_prefix(paths: list[Path]) -> Path:
    if not paths:
        return ()
    first = paths[0]
    n = len(first)
    for path in paths[1:]:
        n = min(n, len(path))
        for i in range(n):
            if path[i] is not first[i]:
                n = i
                break
        if n == 0:
            break
    return first[:n]


def _order_key(path: Path) -> tuple:
    """Sort key putting sibling calls in call order (Calls know their index among their
    parent's children; module scopes keep first-seen order)."""
    out = []
    for s in path:
        parent = getattr(s, "parent", None)
        children = getattr(parent, "children", None)
        index = next((i for i, c in enumerate(children) if c is s), 0) if children else 0
        out.append(index)
    return tuple(out)


def draw_calls(
    root: Value,
    *,
    depth: int = 1,
    open: object = None,  # noqa: A002  (draw_dot's keyword)
    rankdir: str = "TB",
    fmt: str = ".3g",
    max_nodes: int = 300,
) -> Graph:
    """The call view of ``root``'s graph (see the module docstring)."""
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 1:
        raise ValueError(f"draw_dot: depth must be an int >= 1, got {depth!r}")
    order = topological_order(root)
    paths = _scope_paths(order)
    if not any(paths.values()):
        raise ValueError(
            "draw_dot: collapse='call' needs Values made inside calls: build the graph inside "
            "`with autograd.record_calls():` (your own functions become the boxes) or with nn "
            "modules"
        )
    if open is not None:
        opened = resolve_open(root, open, paths)
        base = _path(opened)
    else:
        base = _common_prefix([p for p in paths.values()])
    n = len(base)

    def inside(path: Path) -> bool:
        return len(path) >= n and all(a is b for a, b in zip(path, base))

    # Each Value's key: its calls below the base, cut at depth.
    key_of: dict[int, Path] = {}
    for v in order:
        path = paths.get(id(v))
        if path is not None and inside(path):
            key_of[id(v)] = path[n : n + depth]
    keys = set(map(lambda k: tuple(id(s) for s in k), key_of.values()))
    opened_keys = {k[:j] for k in keys for j in range(len(k))}  # id-paths with a child

    nodes: dict[tuple, _Node] = {}
    node_of: dict[int, tuple] = {}
    objects: dict[tuple, Path] = {}
    for v in order:
        k = key_of.get(id(v))
        if k is None:
            continue
        ids = tuple(id(s) for s in k)
        objects.setdefault(ids, k)
        own = ids in opened_keys
        node_id = (*ids, "own") if own else ids
        node = nodes.get(node_id)
        if node is None:
            if not k:
                name = (_key(base[-1]) if base else "top level") + ": own"
            else:
                name = f"{_key(k[-1])}: own" if own else _key(k[-1])
            node = nodes[node_id] = _Node(
                name, calls=[k[-1]] if k else [], own=own, parent=ids if own else ids[:-1]
            )
        node.values.append(v)
        node_of[id(v)] = node_id

    _count_flows(order, node_of, nodes, root)
    members = _group(nodes, objects)
    edges = _edges(order, node_of, members)
    drawn = {members.get(i, i) for i in nodes}
    if len(drawn) > max_nodes:
        raise ValueError(
            f"draw_dot: collapse='call', depth={depth} makes {len(drawn)} boxes, more than "
            f"max_nodes={max_nodes}; try depth={max(1, depth - 1)} or open= one call"
        )
    return _render(root, nodes, members, edges, objects, base, rankdir, fmt, node_of)


def _count_flows(order, node_of, nodes, root) -> None:
    outside = ("outside",)
    for v in order:
        mine = node_of.get(id(v))
        if mine is None:
            continue
        for p in v.parents:
            theirs = node_of.get(id(p), outside if not p.is_leaf else None)
            if theirs != mine:
                nodes[mine].inputs.add(id(p))
                if theirs in nodes:
                    nodes[theirs].outputs.add(id(p))
    if id(root) in node_of:
        nodes[node_of[id(root)]].outputs.add(id(root))
    for v in order:  # Values used outside the opened call
        if id(v) not in node_of and not v.is_leaf:
            for p in v.parents:
                if id(p) in node_of:
                    nodes[node_of[id(p)]].outputs.add(id(p))


def _group(nodes: dict[tuple, _Node], objects: dict[tuple, Path]) -> dict[tuple, tuple]:
    """node id -> the id of the group it is drawn in (only for grouped boxes): consecutive
    sibling calls of one function with one shape, none feeding another of the group."""
    siblings: dict[tuple, list[tuple]] = {}
    for node_id, node in nodes.items():
        if not node.own and node_id:
            siblings.setdefault(node.parent, []).append(node_id)
    members: dict[tuple, tuple] = {}
    for group in siblings.values():
        group.sort(key=lambda i: _order_key(objects[i]))
        run: list[tuple] = []
        for node_id in [*group, None]:
            node = nodes[node_id] if node_id is not None else None
            if run and node is not None:
                first = nodes[run[0]]
                made = {id(v) for r in run for v in nodes[r].values}
                if node.shape() == first.shape() and not (node.inputs & made):
                    run.append(node_id)
                    continue
            if len(run) > 1:
                for r in run:
                    members[r] = run[0]
                nodes[run[0]].calls = [c for r in run for c in nodes[r].calls]
            run = [node_id] if node_id is not None else []
    return members


def _edges(order, node_of, members) -> dict[tuple[tuple, tuple], set[int]]:
    edges: dict[tuple[tuple, tuple], set[int]] = {}
    for v in order:
        mine = node_of.get(id(v))
        if mine is None:
            continue
        mine = members.get(mine, mine)
        for p in v.parents:
            if p.is_leaf:
                continue
            theirs = node_of.get(id(p), ("outside",))
            theirs = members.get(theirs, theirs)
            if theirs != mine:
                edges.setdefault((theirs, mine), set()).add(id(p))
    return edges


def _render(root, nodes, members, edges, objects, base, rankdir, fmt, node_of) -> Graph:
    graph = Graph(
        graph_attr={"rankdir": rankdir, "fontname": FONT, "nodesep": "0.15", "ranksep": "0.35"},
        node_attr={"fontname": FONT, "fontsize": "11", "shape": "box", "style": "rounded,filled"},
        edge_attr={"fontname": FONT, "fontsize": "10", "arrowsize": "0.6", "color": "#555555"},
    )
    graph.root, graph.fmt = root, fmt
    where = "/".join(_key(s) for s in base) if base else ""
    graph.caption = (
        f"inside {where}: " if where else ""
    ) + "one box per call; edges: Values flowing between calls (leaves not drawn)"
    graph.graph_attr.update(
        label=escape.label(escape.plain(graph.caption)),
        labelloc="t",
        labeljust="l",
        fontsize="12",
    )
    names = {}
    for i, node_id in enumerate(sorted(nodes, key=lambda k: len(k))):
        names[node_id] = f"c{i}"
    root_node = members.get(node_of.get(id(root)), node_of.get(id(root)))
    # Opened calls become clusters, nested; each box goes in the cluster of its parent.
    clusters: dict[tuple, graphviz.Digraph] = {}
    counter = iter(range(10**9))

    def cluster(parent: tuple) -> graphviz.Digraph:
        if not parent:
            return graph
        if parent not in clusters:
            sub = graphviz.Digraph(name=f"cluster_{next(counter)}")
            call = objects[parent][-1]
            sub.attr(
                label=escape.label(escape.plain(_key(call))),
                style="rounded,dashed",
                color="#9b88c4",
                fontname=FONT,
                fontsize="11",
            )
            clusters[parent] = sub
        return clusters[parent]

    for node_id, node in nodes.items():
        if members.get(node_id, node_id) != node_id:
            continue
        group = [n for n in nodes if members.get(n) == node_id] or [node_id]
        values = [v for g in group for v in nodes[g].values]
        ins = set().union(*(nodes[g].inputs for g in group))
        outs = set().union(*(nodes[g].outputs for g in group))
        made = {id(v) for v in values}
        ins -= made
        title = node.name
        if len(group) > 1:
            numbers = [getattr(c, "number", None) for c in node.calls]
            span = f" (#{numbers[0]}-#{numbers[-1]})" if None not in numbers else ""
            title = f"{node.calls[0].name} x{len(group)}{span}"
        largest = max((abs(v.grad) for v in values), default=0.0)
        lines = [
            title,
            f"in {len(ins)} · out {len(outs)} · {len(values)} values",
            f"max |grad| {number(largest, fmt)}",
        ]
        fill = FILL["root"] if node_id == root_node else FILL["own" if node.own else "call"]
        cluster(node.parent).node(
            names[node_id], escape.label(escape.plain("\n".join(lines))), fillcolor=fill
        )
    if clusters:
        graph.graph_attr["newrank"] = "true"  # dot's ranking of nested clusters can fail else
    else:
        # Edges sharing a path are drawn as one (a position's cache read by every later
        # position): the scalar GPT's document goes from 1,273 pt wide to 787 pt.
        graph.graph_attr["concentrate"] = "true"
    for parent in list(clusters):
        for j in range(1, len(parent)):
            cluster(parent[:j])
    for parent in sorted(clusters, key=len, reverse=True):
        sub = clusters[parent]
        holder = cluster(parent[:-1]) if parent[:-1] else graph
        holder.subgraph(sub)
    if any(tail == ("outside",) for tail, _ in edges):
        graph.node("outside", "from outside", fillcolor=FILL["outside"])
        names[("outside",)] = "outside"
    for (tail, head), flowing in edges.items():
        label = str(len(flowing)) if len(flowing) > 1 else ""
        graph.edge(names[tail], names[head], label=label)
    return graph
