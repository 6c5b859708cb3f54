"""``draw_network``: an ``nn`` model as the classic network picture.

Inputs in a column on the left, then one column per layer, a circle per neuron and a line per
weight: blue for a positive weight, red for a negative one, wider and darker the larger its
magnitude (or, with ``grads=True``, the same for each weight's gradient ``.grad``). Given a
``sample`` (one input row) every neuron shows its activation ``a = f(Σ w·x + b)`` for it and is
filled blue (a > 0) or red (a < 0), the deeper the larger ``|a|``.

The picture is plain SVG written here (no Graphviz needed, so it is quick enough to redraw while
a model trains). Hover over a neuron or a line in a browser to read its exact numbers.

Many inputs (a 28x28 image has 784) would make a column no one can read, so above
``max_inputs`` inputs are drawn in consecutive groups of k: k is the smallest divisor of the
input count that leaves at most ``max_inputs`` groups (784 gives the 28 image rows of 28 pixels)
or, when no divisor is near, ``ceil(n / max_inputs)``. A group's line carries the sum of its
weights ``Σ w_i``: how much ``z`` moves when every input of the group moves by 1 together. A
group's value is the mean of its inputs. Hidden layers are always drawn in full: a wide one makes
a tall picture, which scrolls in its own box in a notebook.
"""

from __future__ import annotations

import html
import math
import numbers
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd import Value, no_grad
from autograd.viz.files import write_atomic
from autograd.viz.fit import fit_html
from autograd.viz.text import number

POSITIVE = "#2166ac"  # blue: a positive weight, gradient or activation
NEGATIVE = "#c0392b"  # red: a negative one
ZERO = "#9a9a9a"
INPUT_FILL = "#cfe3fa"  # as draw_dot colours an input
FONT = "Helvetica, Arial, sans-serif"
TEXT_PX = 11  # headers, names and the legend
VALUE_PX = 10  # numbers inside the nodes (the smallest text of the picture)

RADIUS = 18  # a neuron's circle
NEURON_STEP = 44  # vertical distance between neurons of a column
INPUT_STEP = 30  # ... and between inputs
INPUT_SIZE = (50, 22)  # an input's box
COLUMN_GAP = 180
LEFT, RIGHT, TOP, BOTTOM = 76, 70, 46, 16

SHORT_ACTIVATION = {"tanh": "tanh", "sigmoid": "σ", "relu": "relu", "linear": "lin"}


@dataclass(frozen=True)
class _Input:
    name: str  # "x3", or "x0–x27" for a group
    members: range  # the input indices it stands for
    value: float | None  # its sample value (the mean, for a group)


@dataclass(frozen=True)
class _Neuron:
    name: str  # "layer 1, neuron 3"
    activation: str
    weights: list[float]  # one per drawn input of its layer (summed over a group)
    grads: list[float]
    bias: float
    bias_grad: float
    value: float | None  # its activation for the sample


class NetworkView:
    """The network picture of a model (what :func:`draw_network` returns).

    ``svg`` is the drawing; in Jupyter it shows as HTML scaled to the column (see
    :mod:`autograd.viz.fit`); ``_repr_html_()`` is that HTML, for a view that embeds it.
    ``save("net.svg")`` or ``save("net.html")`` writes it; :func:`autograd.viz.to_html` too.
    """

    def __init__(self, svg: str, description: str) -> None:
        self.svg = svg
        self.description = description

    def __repr__(self) -> str:
        return f"<network view of {self.description}>"

    def _repr_html_(self) -> str:
        return fit_html(self.svg)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
        # HTML only, as draw_dot's graphs: the SVG beside it would double a notebook's size.
        bundle = {"text/plain": repr(self), "text/html": self._repr_html_()}
        if include is not None and "image/svg+xml" in include:
            bundle["image/svg+xml"] = self.svg
        return bundle

    def to_html_document(self) -> str:
        """A complete, self-contained HTML page showing the picture (for :func:`to_html`)."""
        from autograd.viz.page import page

        return page(f"Network view of {self.description}", self._repr_html_())

    def save(self, path: str | Path) -> Path:
        """Write the picture as ``.svg`` or as a self-contained ``.html`` page."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".svg":
            write_atomic(path, self.svg)
        elif suffix in (".html", ".htm"):
            write_atomic(path, self.to_html_document())
        else:
            raise ValueError(f"NetworkView.save: {path.name!r} must end in .svg or .html")
        return path


def draw_network(
    model: Any,
    grads: bool = False,
    sample: Sequence[float] | None = None,
    *,
    fmt: str = ".2f",
    max_inputs: int = 30,
) -> NetworkView:
    """The network view of an ``nn`` model (an ``MLP``, a ``Layer`` or a ``Neuron``).

    Args:
        model: the model to draw.
        grads: colour and size each line by its weight's gradient ``.grad`` (as left by the last
            ``backward()``) instead of by the weight.
        sample: one input row (``nin`` numbers, e.g. ``X[0]``); each neuron then shows its
            activation for it. The model's ``.grad`` fields are left untouched.
        fmt: format spec of the numbers shown in the nodes.
        max_inputs: draw at most this many input nodes; more inputs are drawn in groups (see
            the module docstring).

    Returns a :class:`NetworkView`; it displays itself in Jupyter.
    """
    layers = _layers(model)
    nin = len(layers[0][0].w)
    if isinstance(max_inputs, bool) or not isinstance(max_inputs, int) or max_inputs < 1:
        raise ValueError(f"draw_network: max_inputs must be a positive int, got {max_inputs!r}")
    try:
        format(1.0, fmt)
    except (ValueError, TypeError):
        raise ValueError(f"draw_network: fmt={fmt!r} is not a format spec for floats") from None
    row = _sample_row(sample, nin)
    activations = _forward(layers, row) if row is not None else None
    inputs = _inputs(nin, max_inputs, row)
    groups = [list(item.members) for item in inputs]
    columns: list[list[_Neuron]] = []
    for k, layer in enumerate(layers):
        fan_in = groups if k == 0 else [[i] for i in range(len(layers[k - 1]))]
        column = []
        for j, neuron in enumerate(layer):
            w = [_finite(p, f"layer {k}, neuron {j}, weight {i}") for i, p in enumerate(neuron.w)]
            g = [
                _finite_grad(p, f"layer {k}, neuron {j}, weight {i}")
                for i, p in enumerate(neuron.w)
            ]
            name = f"layer {k}, neuron {j}"
            column.append(
                _Neuron(
                    name=name,
                    activation=getattr(neuron, "activation", "linear"),
                    weights=[math.fsum(w[i] for i in members) for members in fan_in],
                    grads=[math.fsum(g[i] for i in members) for members in fan_in],
                    bias=_finite(neuron.b, f"{name}, bias"),
                    bias_grad=_finite_grad(neuron.b, f"{name}, bias"),
                    value=None if activations is None else activations[k][j],
                )
            )
        columns.append(column)
    svg = _Picture(inputs, columns, grads, fmt, nin).svg()
    return NetworkView(svg, _describe(model, nin, columns))


# -- reading the model ---------------------------------------------------------------------


def _layers(model: Any) -> list[list[Any]]:
    """The model as a list of layers, each a list of neurons (objects with ``w`` and ``b``)."""
    if hasattr(model, "layers"):
        layers = [list(getattr(layer, "neurons", layer)) for layer in model.layers]
    elif hasattr(model, "neurons"):
        layers = [list(model.neurons)]
    elif hasattr(model, "w") and hasattr(model, "b"):
        layers = [[model]]
    else:
        raise TypeError(
            "draw_network: model must be an nn.MLP, nn.Layer or nn.Neuron, "
            f"got {type(model).__name__}"
        )
    if not layers or not all(layers):
        raise ValueError("draw_network: the model has an empty layer")
    for k, layer in enumerate(layers):
        for j, neuron in enumerate(layer):
            if not hasattr(neuron, "w") or not hasattr(neuron, "b"):
                raise TypeError(
                    f"draw_network: layer {k}, neuron {j} is a {type(neuron).__name__}, "
                    "not a neuron with weights w and bias b"
                )
            expected = len(layers[0][0].w) if k == 0 else len(layers[k - 1])
            if len(neuron.w) != expected:
                raise ValueError(
                    f"draw_network: layer {k}, neuron {j} has {len(neuron.w)} weights but its "
                    f"layer receives {expected} inputs"
                )
    return layers


def _finite(p: Value, where: str) -> float:
    if not math.isfinite(p.data):
        raise ValueError(f"draw_network: {where} is {p.data} (not a finite number)")
    return p.data


def _finite_grad(p: Value, where: str) -> float:
    if not math.isfinite(p.grad):
        raise ValueError(f"draw_network: the gradient of {where} is {p.grad} (not finite)")
    return p.grad


def _sample_row(sample: Any, nin: int) -> list[float] | None:
    if sample is None:
        return None
    shape = getattr(sample, "shape", None)
    if shape is not None and len(shape) != 1:
        raise ValueError(
            f"draw_network: sample must be one input row of {nin} numbers, got an array of "
            f"shape {tuple(shape)} (pick a row: sample=X[i])"
        )
    if isinstance(sample, (str, bytes)) or not isinstance(sample, Iterable):
        raise TypeError(
            f"draw_network: sample must be one input row of {nin} numbers, "
            f"got {type(sample).__name__}"
        )
    row = list(sample)
    if len(row) != nin:
        raise ValueError(f"draw_network: sample has {len(row)} numbers; the model takes {nin}")
    out = []
    for i, x in enumerate(row):
        x = x.data if isinstance(x, Value) else x
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
            raise ValueError(f"draw_network: sample[{i}] must be a finite number, got {x!r}")
        out.append(float(x))
    return out


def _forward(layers: list[list[Any]], row: list[float]) -> list[list[float]]:
    """Every neuron's activation for ``row``, layer by layer (no graph recorded)."""
    out: list[list[float]] = []
    x: Any = row
    with no_grad():
        for layer in layers:
            x = [neuron(x) for neuron in layer]
            out.append([v.data for v in x])
    return out


def _group_size(nin: int, max_inputs: int) -> int:
    if nin <= max_inputs:
        return 1
    least = math.ceil(nin / max_inputs)
    for k in range(least, 2 * least + 1):
        if nin % k == 0:
            return k
    return least


def _inputs(nin: int, max_inputs: int, row: list[float] | None) -> list[_Input]:
    k = _group_size(nin, max_inputs)
    items = []
    for start in range(0, nin, k):
        members = range(start, min(start + k, nin))
        name = f"x{start}" if len(members) == 1 else f"x{start}–x{members[-1]}"
        value = None if row is None else math.fsum(row[i] for i in members) / len(members)
        items.append(_Input(name, members, value))
    return items


def _describe(model: Any, nin: int, columns: list[list[_Neuron]]) -> str:
    text = repr(model)
    if " at 0x" in text or len(text) > 120:  # no stable repr: say the shape
        sizes = ", ".join(str(len(c)) for c in columns)
        text = f"{type(model).__name__}({nin}, [{sizes}])"
    return text


# -- drawing --------------------------------------------------------------------------------


def _mix(colour: str, amount: float) -> str:
    """``colour`` blended with white: 0 gives white, 1 the colour itself."""
    amount = min(1.0, max(0.0, amount))
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 + (c - 255) * amount):02x}" for c in rgb)


def _sign_colour(x: float) -> str:
    return POSITIVE if x > 0 else NEGATIVE if x < 0 else ZERO


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


class _Picture:
    """Positions and SVG text of one network picture."""

    def __init__(
        self,
        inputs: list[_Input],
        columns: list[list[_Neuron]],
        grads: bool,
        fmt: str,
        nin: int,
    ) -> None:
        self.inputs, self.columns, self.grads, self.fmt, self.nin = inputs, columns, grads, fmt, nin
        heights = [len(inputs) * INPUT_STEP] + [len(c) * NEURON_STEP for c in columns]
        self.body = max(heights)
        # Room on the left for the longest input name ("x756–x783"), written left of its box.
        longest = max(len(item.name) for item in inputs)
        self.left = max(LEFT, INPUT_SIZE[0] / 2 + 16 + math.ceil(0.62 * TEXT_PX * longest))
        self.width = math.ceil(self.left + len(columns) * COLUMN_GAP + RIGHT)
        self.legend = self._legend()
        self.height = TOP + self.body + 8 + len(self.legend) * (TEXT_PX + 5) + BOTTOM

    def x(self, column: int) -> float:
        return self.left + column * COLUMN_GAP

    def ys(self, count: int, step: float) -> list[float]:
        top = TOP + (self.body - count * step) / 2 + step / 2
        return [top + i * step for i in range(count)]

    def number(self, x: float) -> str:
        return number(x, self.fmt).replace("-", "−")

    def _legend(self) -> list[str]:
        what = "gradient ∂L/∂w (.grad)" if self.grads else "weight w"
        lines = [
            f"lines: each {what}; blue > 0, red < 0, width ∝ |{'∂L/∂w' if self.grads else 'w'}|"
            " / the largest in its layer."
        ]
        if self.grads and not any(g for c in self.columns for n in c for g in n.grads):
            lines.append("every gradient is 0: call backward() on a loss first.")
        if self.inputs and len(self.inputs[0].members) > 1:
            k = len(self.inputs[0].members)
            lines.append(
                f"the {self.nin} inputs are drawn in {len(self.inputs)} groups of {k}: a group's "
                "line carries the sum of its weights, its value is the mean of its inputs."
            )
        if self.columns[0][0].value is not None:
            lines.append(
                "neurons: activation a = f(Σ w·x + b) for the sample; fill blue a > 0, red a < 0."
            )
        else:
            lines.append("neurons: their activation function f in a = f(Σ w·x + b).")
        chars = max(40, int((self.width - 20) / (0.6 * TEXT_PX)))
        return [part for line in lines for part in textwrap.wrap(line, chars)]

    def svg(self) -> str:
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}px" '
            f'height="{self.height}px" viewBox="0 0 {self.width} {self.height}" '
            f'font-family="{FONT}" font-size="{TEXT_PX}">',
            f'<rect width="{self.width}" height="{self.height}" fill="white"/>',
        ]
        in_y = self.ys(len(self.inputs), INPUT_STEP)
        ys = [self.ys(len(c), NEURON_STEP) for c in self.columns]
        parts += self._headers()
        parts += self._lines(in_y, ys)
        parts += self._input_nodes(in_y)
        for k, column in enumerate(self.columns):
            parts += self._neuron_nodes(k, column, ys[k])
        top = TOP + self.body + 8
        for i, line in enumerate(self.legend):
            y = top + (i + 1) * (TEXT_PX + 5) - 4
            parts.append(f'<text x="10" y="{y}" fill="#333">{_esc(line)}</text>')
        parts.append("</svg>")
        return "\n".join(parts)

    def _headers(self) -> list[str]:
        out = []
        count = len(self.inputs)
        label = f"{self.nin} inputs" if count == self.nin else f"{self.nin} inputs ({count} groups)"
        titles = [label]
        for k, column in enumerate(self.columns):
            kind = column[0].activation
            last = "output " if k == len(self.columns) - 1 else ""
            titles.append(f"{last}layer {k}: {len(column)} {kind}")
        for c, title in enumerate(titles):
            x = self.x(c) - (INPUT_SIZE[0] / 2 if c == 0 else 0)
            anchor = "start" if c == 0 else "middle"
            out.append(
                f'<text x="{x:.1f}" y="{TOP - 18}" text-anchor="{anchor}" font-weight="bold" '
                f'fill="#333">{_esc(title)}</text>'
            )
        return out

    def _lines(self, in_y: list[float], ys: list[list[float]]) -> list[str]:
        out = []
        for k, column in enumerate(self.columns):
            sources = in_y if k == 0 else ys[k - 1]
            start_x = self.x(k) + (INPUT_SIZE[0] / 2 if k == 0 else RADIUS)
            end_x = self.x(k + 1) - RADIUS
            names = (
                [item.name for item in self.inputs]
                if k == 0
                else [f"layer {k - 1}, neuron {i}" for i in range(len(sources))]
            )
            edges = []
            for j, neuron in enumerate(column):
                shown = neuron.grads if self.grads else neuron.weights
                for i, value in enumerate(shown):
                    edges.append((abs(value), i, j, value))
            largest = max((e[0] for e in edges), default=0.0)
            for magnitude, i, j, value in sorted(edges):  # the strongest drawn last, on top
                share = magnitude / largest if largest > 0 else 0.0
                neuron = column[j]
                tip = (
                    f"{names[i]} → {neuron.name}: w = {neuron.weights[i]:.6g}, "
                    f"∂L/∂w = {neuron.grads[i]:.6g}"
                )
                out.append(
                    f'<line x1="{start_x:.1f}" y1="{sources[i]:.1f}" x2="{end_x:.1f}" '
                    f'y2="{ys[k][j]:.1f}" stroke="{_sign_colour(value)}" '
                    f'stroke-width="{0.4 + 4.6 * share:.2f}" '
                    f'stroke-opacity="{0.15 + 0.8 * share:.2f}">'
                    f"<title>{_esc(tip)}</title></line>"
                )
        return out

    def _input_nodes(self, in_y: list[float]) -> list[str]:
        out = []
        w, h = INPUT_SIZE
        x = self.x(0)
        for item, y in zip(self.inputs, in_y):
            tip = item.name if item.value is None else f"{item.name} = {item.value:.6g}"
            inside = "" if item.value is None else self.number(item.value)
            out.append(
                f"<g><title>{_esc(tip)}</title>"
                f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w}" height="{h}" rx="4" '
                f'fill="{INPUT_FILL}" stroke="#555"/>'
                + (
                    f'<text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" '
                    f'font-size="{VALUE_PX}">{_esc(inside)}</text>'
                    if inside
                    else ""
                )
                + f'<text x="{x - w / 2 - 5:.1f}" y="{y + 4:.1f}" text-anchor="end" '
                f'fill="#333">{_esc(item.name)}</text></g>'
            )
        return out

    def _neuron_nodes(self, k: int, column: list[_Neuron], ys: list[float]) -> list[str]:
        out = []
        x = self.x(k + 1)
        last = k == len(self.columns) - 1
        scale = max([1.0] + [abs(n.value) for n in column if n.value is not None])
        for j, (neuron, y) in enumerate(zip(column, ys)):
            if neuron.value is None:
                fill, ink, inside = "white", "#222", SHORT_ACTIVATION.get(neuron.activation, "")
            else:
                share = abs(neuron.value) / scale
                fill = _mix(_sign_colour(neuron.value), 0.85 * share)
                ink = "white" if share > 0.6 else "#222"
                inside = self.number(neuron.value)
            tip = (
                f"{neuron.name}: a = {neuron.activation}(Σ w·x + b), b = {neuron.bias:.6g}, "
                f"∂L/∂b = {neuron.bias_grad:.6g}"
            )
            if neuron.value is not None:
                tip += f", a = {neuron.value:.6g} for the sample"
            out.append(
                f"<g><title>{_esc(tip)}</title>"
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}" fill="{fill}" stroke="#444"/>'
                f'<text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" fill="{ink}" '
                f'font-size="{VALUE_PX}">{_esc(inside)}</text>'
            )
            if last:
                name = "out" if len(column) == 1 else f"out{j}"
                out.append(
                    f'<text x="{x + RADIUS + 5:.1f}" y="{y + 4:.1f}" fill="#333">{name}</text>'
                )
            out.append("</g>")
        return out
