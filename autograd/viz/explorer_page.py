"""The explorer's page: the graph laid out for :func:`autograd.viz.explore`, its script and
a self-contained HTML document.

``explore(root)``: nudge any leaf and watch every value and gradient of the graph move.

The graph is laid out once (by Graphviz's ``dot`` when installed, else in layers) and sent to
the page with each node's op. On every nudge the page recomputes the forward values, the
backward pass (d root / d node for every node) and, beside each leaf's grad, the finite
difference (f(x + h) - f(x)) / h, from the op table's JavaScript forms
(:mod:`autograd.viz.jsops`), so it also works in an exported HTML file with no kernel. With a
kernel, the Python Values follow: each leaf's ``.data`` is set, the graph's ``.data`` recomputed
and ``.grad`` set to d root / d node (grads zeroed, then ``root.backward()``).
"""

from __future__ import annotations

import html
import itertools
import shlex
import shutil
import subprocess
from importlib import resources
from typing import Any

from ..core.backward import topological_order
from ..core.define import redefined_ops
from ..core.ops import OPS
from ..core.value import Constant, Value
from . import jsops
from .escape import LABEL_CHARS, script_json, shorten
from .layout import Layout
from .replay import gradients
from .rows import wrap_rows
from .text import value_names

MAX_VALUES = 300
PX_PER_INCH = 72.0
LINE = 15.0  # px per text line in a value's box
_ids = itertools.count()


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(f"assets/{name}").read_text(encoding="utf-8")


def _value_size(name: str, editable: bool) -> tuple[float, float]:
    width = max(len(name), 13) * 7.2 + 16.0
    return width, (4 if editable else 3) * LINE + 8.0


def _op_size(label: str) -> tuple[float, float]:
    return max(len(label) * 8.0 + 22.0, 34.0), 28.0


def op_info(order: list[Value]) -> dict[str, dict[str, str]]:
    """Each op name in ``order`` with its label and math, read from the nodes' own rows (a row
    redefined since under the same name does not relabel old nodes)."""
    return {v.op: {"label": v._op.label, "math": v._op.math} for v in order if v.op}


def graph_spec(root: Value, h: float = 1e-3) -> dict[str, Any]:
    """What the page needs: per Value its name, op, parents (indices in topological order),
    data, grad, role and place in the picture; the edges as SVG paths; the ops' labels and math.
    Grads are d root / d node (computed here, without touching ``.grad``)."""
    if not isinstance(root, Value):
        raise TypeError(f"explore: root must be a Value, got {type(root).__name__}")
    order = topological_order(root)
    if len(order) > MAX_VALUES:
        raise ValueError(
            f"explore: the graph has {len(order)} Values; the explorer recomputes up to "
            f"{MAX_VALUES} on every nudge. Explore a smaller piece, e.g. the loss of one sample"
        )
    index = {id(v): i for i, v in enumerate(order)}
    names = value_names(order)
    roles = Layout(root, None, None).role
    nodes = []
    for v in order:
        editable = v.is_leaf and not (isinstance(v, Constant) and not v.label)
        nodes.append(
            {
                "name": shorten(names[id(v)], LABEL_CHARS, 1),
                "full": names[id(v)],
                "op": v.op,
                "parents": [index[id(p)] for p in v.parents],
                "data": v.data,
                "grad": 0.0,
                "role": roles[id(v)],
                "editable": editable,
            }
        )
    grads, _ = gradients(root)
    for v, node in zip(order, nodes):
        node["grad"] = grads[id(v)]
    width, height, edges = _place(nodes)
    used: dict[str, set[int]] = {}
    for v in order:
        if v.op:
            used.setdefault(v.op, set()).add(len(v.parents))
    return {
        "uid": next(_ids),
        "nodes": nodes,
        "edges": edges,
        "width": width,
        "height": height,
        "root": len(order) - 1,
        "editable": [i for i, node in enumerate(nodes) if node["editable"]],
        "h": h,
        "ops": op_info(order),
        "missing": sorted({*jsops.missing(used), *redefined_ops(order)}),  # JS forms go by name
        "arities": {name: sorted(arities) for name, arities in used.items()},
    }


def _place(nodes: list[dict]) -> tuple[float, float, list[dict]]:
    """Positions (centres, px) of each value box and op ellipse, and the edges as SVG paths."""
    for node in nodes:
        node["w"], node["h"] = _value_size(node["name"], node["editable"])
        if node["op"]:
            node["ow"], node["oh"] = _op_size(OPS[node["op"]].label)
    edges = [
        {"key": f"in:{i}:{k}", "tail": f"v{p}", "head": f"o{i}"}
        for i, node in enumerate(nodes)
        for k, p in enumerate(node["parents"])
    ] + [
        {"key": f"out:{i}", "tail": f"o{i}", "head": f"v{i}"}
        for i, n in enumerate(nodes)
        if n["op"]
    ]
    if shutil.which("dot"):
        return _place_with_dot(nodes, edges)
    return _place_in_layers(nodes, edges)


def _place_with_dot(nodes: list[dict], edges: list[dict]) -> tuple[float, float, list[dict]]:
    inch = PX_PER_INCH
    names = [
        f"{kind}{i}" for i, node in enumerate(nodes) for kind in "vo" if kind == "v" or node["op"]
    ]
    # A long chain in rows read like text, as draw_dot draws it (autograd/viz/rows.py).
    # Its boxes (four lines, 12 px text) are wider than draw_dot's: six nodes a row.
    rows = wrap_rows(names, [(e["tail"], e["head"]) for e in edges], per_row=6)
    lines = [
        "digraph {",
        "rankdir=TB; nodesep=0.2; ranksep=0.25;"
        if rows
        else "rankdir=LR; nodesep=0.2; ranksep=0.3;",
        'node [fixedsize=true, label="", shape=box];',
    ]
    for i, node in enumerate(nodes):
        lines.append(f"v{i} [width={node['w'] / inch:.3f}, height={node['h'] / inch:.3f}];")
        if node["op"]:
            size = f"width={node['ow'] / inch:.3f}, height={node['oh'] / inch:.3f}"
            lines.append(f"o{i} [shape=ellipse, {size}];")
    crossing = {(above[-1], below[0]) for above, below in itertools.pairwise(rows or [])}
    for e in edges:
        wrapped = " [minlen=2, weight=0]" if (e["tail"], e["head"]) in crossing else ""
        lines.append(f"{e['tail']} -> {e['head']}{wrapped};")
    for row in rows or []:
        lines.append(f"{{rank=same; {'; '.join(row)};}}")
    for above, below in itertools.pairwise(rows or []):  # the rows' starts one above the other
        lines.append(f"{above[0]} -> {below[0]} [style=invis, minlen=2, weight=100];")
    lines.append("}")
    plain = subprocess.run(
        ["dot", "-Tplain"], input="\n".join(lines), capture_output=True, text=True, check=True
    ).stdout
    centres: dict[str, tuple[float, float]] = {}
    # dot lists edges grouped by their tail, not in the order given: each spline is matched to
    # its edge by (tail, head); parallel edges (x * x) keep their order among themselves.
    splines: dict[tuple[str, str], list[list[tuple[float, float]]]] = {}
    height = width = 0.0
    for line in plain.splitlines():
        words = shlex.split(line)
        if not words:
            continue
        if words[0] == "graph":
            width, height = float(words[2]) * inch, float(words[3]) * inch
        elif words[0] == "node":
            centres[words[1]] = (float(words[2]) * inch, height - float(words[3]) * inch)
        elif words[0] == "edge":
            count = int(words[3])
            numbers = [float(w) for w in words[4 : 4 + 2 * count]]
            points = [(x * inch, height - y * inch) for x, y in zip(numbers[::2], numbers[1::2])]
            splines.setdefault((words[1], words[2]), []).append(points)
    for i, node in enumerate(nodes):
        node["x"], node["y"] = centres[f"v{i}"]
        if node["op"]:
            node["ox"], node["oy"] = centres[f"o{i}"]
    for edge in edges:
        start, *rest = splines[(edge["tail"], edge["head"])].pop(0)
        curve = " ".join(f"{x:.1f} {y:.1f}" for x, y in rest)
        edge["d"] = f"M {start[0]:.1f} {start[1]:.1f} C {curve}"
    return width + 4.0, height + 4.0, edges


def _place_in_layers(nodes: list[dict], edges: list[dict]) -> tuple[float, float, list[dict]]:
    """Without ``dot``: columns by depth (leaves left, root right), straight edges."""
    depth = [0] * len(nodes)
    for i, node in enumerate(nodes):
        if node["op"]:
            depth[i] = 1 + max(depth[p] for p in node["parents"])
    columns: dict[int, list[int]] = {}
    for i in range(len(nodes)):
        columns.setdefault(depth[i], []).append(i)
    column_width = max(node["w"] for node in nodes) + 110.0
    row_height = max(node["h"] for node in nodes) + 16.0
    centres: dict[str, tuple[float, float]] = {}
    for d, members in columns.items():
        for row, i in enumerate(members):
            node = nodes[i]
            node["x"], node["y"] = (
                20 + node["w"] / 2 + d * column_width,
                10 + (row + 0.5) * row_height,
            )
            centres[f"v{i}"] = (node["x"], node["y"])
            if node["op"]:
                node["ox"], node["oy"] = node["x"] - node["w"] / 2 - 55.0, node["y"]
                centres[f"o{i}"] = (node["ox"], node["oy"])
    for edge in edges:
        (x0, y0), (x1, y1) = centres[edge["tail"]], centres[edge["head"]]
        edge["d"] = f"M {x0:.1f} {y0:.1f} L {x1:.1f} {y1:.1f}"
    width = (max(columns) + 1) * column_width + 20
    height = max(len(m) for m in columns.values()) * row_height + 20
    return width, height, edges


def script(spec: dict | None = None) -> str:
    """The page's JavaScript (no module syntax): ``M``, the op table's forms for the ops (and
    numbers of inputs) of ``spec`` (every row at its tested arities when None), the forward and
    reverse loops both explorers share (assets/graph.js), the explorer, ``render``."""
    uses = jsops.known() if spec is None else spec["arities"]
    return f"{jsops.table_source(uses)}\n{_asset('graph.js')}\n{_asset('explore.js')}"


def style() -> str:
    return _asset("explore.css")


class _Model:
    """What the widget's model offers ``render`` (get, set, save_changes, on), in a page with
    no kernel; a nudge changes only the page."""

    @staticmethod
    def source(spec: dict) -> str:
        state = script_json({"spec": spec, "leaves": [], "state": {}})
        return (
            "const model = { kernel: false, values: " + state + ",\n"
            "  get(key) { return this.values[key]; },\n"
            "  set(key, value) { this.values[key] = value; },\n"
            "  save_changes() {}, on() {}, off() {} };\n"
        )


def html_document(spec: dict, title: str = "seegrad explorer") -> str:
    """One self-contained HTML page (no network, no kernel) running the explorer of ``spec``."""
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>\n<style>{style()}</style></head>\n"
        "<body><div id='explorer'></div>\n<script>\n"
        f"{script(spec)}\n{_Model.source(spec)}"
        "render({ model, el: document.getElementById('explorer') });\n"
        "</script></body></html>\n"
    )
