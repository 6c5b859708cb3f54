"""The op table in JavaScript: each row's forward and local derivatives as browser code.

:mod:`autograd.viz.explore` recomputes a graph in the page (so it runs in an exported HTML file
with no kernel). It needs every op of the graph in JavaScript: :data:`JS_FORMS` holds, per row
name of :data:`autograd.core.ops.OPS`, one JavaScript expression for the forward and one for the
list of local derivatives, as the rows' ``torch`` field holds a PyTorch expression.

The expressions see ``x`` and ``y`` (the first two inputs), ``xs`` (all inputs, an array),
``n`` (``xs.length >> 1``: where the weights end in dot and affine), ``out`` (the forward's
result, in derivatives only) and ``M``, the JavaScript twin of ``autograd.core.ops.FloatMath``
(``assets/jsmath.js``: ``M.exp``, ``M.sigmoid``, ``M.step``, ``M.fsum``, ...). A test runs every
form in Chromium against the Python rule (1e-12 relative), and fails for a row without one.

An op defined by a user has no JavaScript form unless one is given with :func:`add_js_form`;
the explorer then recomputes through the kernel only, and says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from ..core.ops import OPS, Op
from .escape import script_json


@dataclass(frozen=True)
class JsForm:
    """One row in JavaScript: ``forward`` evaluates to the op's output, ``derivatives`` to an
    array of d out / d input_i (0 for inputs the op holds constant)."""

    forward: str
    derivatives: str


def _form(forward: str, derivatives: str) -> JsForm:
    return JsForm(forward, derivatives)


JS_FORMS: dict[str, JsForm] = {
    "add": _form("x + y", "[1, 1]"),
    "sub": _form("x - y", "[1, -1]"),
    "mul": _form("x * y", "[y, x]"),
    "div": _form("x / y", "[1 / y, -out / y]"),
    "neg": _form("-x", "[-1]"),
    "pow": _form("M.pow(x, y)", "[y * M.pow(x, y - 1), 0]"),
    "pow_value": _form("M.pow(x, y)", "[y * M.pow(x, y - 1), out * M.log(x)]"),
    "abs": _form("M.abs(x)", "[M.sign(x)]"),
    "exp": _form("M.exp(x)", "[out]"),
    "log": _form("M.log(x)", "[1 / x]"),
    "sqrt": _form("M.sqrt(x)", "[0.5 / out]"),
    "tanh": _form("M.tanh(x)", "[1 - out * out]"),
    "sigmoid": _form("M.sigmoid(x)", "[out * (1 - out)]"),
    "relu": _form("M.relu(x)", "[M.step(x)]"),
    "leaky_relu": _form("M.relu(x) - y * M.relu(-x)", "[y + (1 - y) * M.step(x), 0]"),
    "softplus": _form("M.softplus(x)", "[M.sigmoid(x)]"),
    "sin": _form("M.sin(x)", "[M.cos(x)]"),
    "cos": _form("M.cos(x)", "[-M.sin(x)]"),
    "sum": _form("M.fsum(xs)", "xs.map(() => 1)"),
    "dot": _form(
        "M.fsum(xs.slice(0, n).map((w, i) => w * xs[n + i]))",
        "[...xs.slice(n), ...xs.slice(0, n)]",
    ),
    "affine": _form(
        "M.fsum(xs.slice(0, n).map((w, i) => w * xs[n + i])) + xs[2 * n]",
        "[...xs.slice(n, 2 * n), ...xs.slice(0, n), 1]",
    ),
    "logsumexp": _form(
        "((top) => top + M.log(M.fsum(xs.map((v) => M.exp(v - top)))))(Math.max(...xs))",
        "xs.map((v) => M.exp(v - out))",
    ),
    "scaled_log": _form("y === 0 ? 0 : y * M.log(x)", "[y === 0 ? 0 : y / x, 0]"),
}


# Forms given by users for their own ops, with the op they were given for: an op taken out of
# the table (``remove_op``) and defined again under the same name needs its form again.
USER_JS_FORMS: dict[str, tuple[Op, JsForm]] = {}


def add_js_form(name: str, forward: str, derivatives: str) -> None:
    """Give the op ``name`` (a row of the table, e.g. one made by ``define_op``) a JavaScript
    form, so the explorer recomputes it in the page; see the module docstring for the names the
    expressions may use. An op that already has one raises ``ValueError``."""
    for what, text in (("forward", forward), ("derivatives", derivatives)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"add_js_form: {what} must be a JavaScript expression, got {text!r}")
    if name not in OPS:
        raise ValueError(f"add_js_form: no op named {name!r} in the table")
    if js_form(name) is not None:
        raise ValueError(f"add_js_form: op {name!r} already has a JavaScript form")
    USER_JS_FORMS[name] = (OPS[name], _form(forward, derivatives))


def js_form(name: str) -> JsForm | None:
    """The JavaScript form of the op ``name`` in the table, or None."""
    if name in JS_FORMS:
        return JS_FORMS[name]
    op, form = USER_JS_FORMS.get(name, (None, None))
    return form if op is not None and OPS.get(name) is op else None


def builtin_rows() -> list[Op]:
    """The rows written in :mod:`autograd.core.ops` (not ops a user defined at run time)."""
    return [
        op for op in OPS.values() if getattr(op.forward, "__module__", "") == "autograd.core.ops"
    ]


def missing(names: Iterable[str]) -> list[str]:
    """The op names among ``names`` that have no JavaScript form, sorted."""
    return sorted({name for name in names if js_form(name) is None})


def math_source() -> str:
    """The JavaScript of ``M`` (assets/jsmath.js)."""
    return resources.files(__package__).joinpath("assets/jsmath.js").read_text(encoding="utf-8")


def known() -> list[str]:
    """Every op of the table that has a JavaScript form."""
    return [name for name in OPS if js_form(name) is not None]


def table_source(names: Iterable[str], variable: str = "OPS") -> str:
    """JavaScript defining ``M`` and ``const OPS = {name: {forward(xs), derivatives(out, xs),
    math}}`` for the ops ``names`` that have a JavaScript form (the others are left out)."""
    entries = []
    for name in sorted(set(names)):
        form = js_form(name)
        if form is None:
            continue
        prelude = "const x = xs[0], y = xs[1], n = xs.length >> 1;"
        entries.append(
            f"  {script_json(name)}: {{\n"
            f"    forward: (xs) => {{ {prelude} return {form.forward}; }},\n"
            f"    derivatives: (out, xs) => {{ {prelude} return {form.derivatives}; }},\n"
            f"    math: {script_json(OPS[name].math)},\n"
            f"  }},"
        )
    body = "\n".join(entries)
    return f"{math_source()}\nconst {variable} = {{\n{body}\n}};\n"
