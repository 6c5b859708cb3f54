"""The op table in JavaScript: each row's forward and local derivatives as browser code.

:mod:`autograd.viz.explore` recomputes a graph in the page (so it runs in an exported HTML file
with no kernel). It needs every op of the graph in JavaScript. The forms are generated from the
rows themselves (:mod:`autograd.viz.jsgen` runs each rule on a backend whose values are
JavaScript expressions), per number of inputs; none is typed by hand, so a row edited in Python
changes the page. ``make test`` runs every generated form in Node.js against the Python rule at
the row's test points and edge points (tests/autograd/viz/test_jsops.py).

A user's op whose rules use only ``m`` gets a form the same way. For one whose rules cannot be
written out (``math.exp``, a Python ``if``), :func:`add_js_form` gives one by hand: expressions
that see ``x`` and ``y`` (the first two inputs), ``xs`` (all inputs, an array), ``n``
(``xs.length >> 1``), ``out`` (the forward's result, in derivatives only) and ``M``, the
JavaScript twin of ``autograd.core.backends.FloatMath`` (``assets/jsmath.js``). Without either,
the explorer recomputes through the kernel only, and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

from ..core.ops import OPS, Op
from .escape import script_json
from .jsgen import Generated, NotExpressibleError, generate


@dataclass(frozen=True)
class JsForm:
    """One row in JavaScript, given by hand: ``forward`` evaluates to the op's output,
    ``derivatives`` to an array of d out / d input_i (0 for inputs the op holds constant)."""

    forward: str
    derivatives: str


_PRELUDE = "const x = xs[0], y = xs[1], n = xs.length >> 1;"

# Forms given by users for their own ops, with the op they were given for: an op taken out of
# the table (``remove_op``) and defined again under the same name needs its form again.
USER_JS_FORMS: dict[str, tuple[Op, JsForm]] = {}
# Generated forms by (name, arity), with the row they were read from (a redefined row is read
# again) or None when its rules cannot be written out.
_GENERATED: dict[tuple[str, int], tuple[Op, Generated | None]] = {}


def add_js_form(name: str, forward: str, derivatives: str) -> None:
    """Give the op ``name`` (a row of the table, e.g. one made by ``define_op``) a JavaScript
    form by hand, so the explorer recomputes it in the page; see the module docstring for the
    names the expressions may use. An op that already has one given raises ``ValueError``."""
    for what, text in (("forward", forward), ("derivatives", derivatives)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"add_js_form: {what} must be a JavaScript expression, got {text!r}")
    if name not in OPS:
        raise ValueError(f"add_js_form: no op named {name!r} in the table")
    if js_form(name) is not None:
        raise ValueError(f"add_js_form: op {name!r} already has a JavaScript form")
    if not missing([name]):
        raise ValueError(
            f"add_js_form: op {name!r} already has a JavaScript form, generated from its rules"
        )
    USER_JS_FORMS[name] = (OPS[name], JsForm(forward, derivatives))


def js_form(name: str) -> JsForm | None:
    """The JavaScript form given by hand for the op ``name`` in the table, or None."""
    op, form = USER_JS_FORMS.get(name, (None, None))
    return form if op is not None and OPS.get(name) is op else None


def generated(name: str, arity: int) -> Generated | None:
    """The form of the row ``name`` with ``arity`` inputs, read from its rules (None when they
    cannot be written out, or there is no such row or arity)."""
    op = OPS.get(name)
    if op is None or (op.arity >= 0 and op.arity != arity):
        return None
    cached = _GENERATED.get((name, arity))
    if cached is None or cached[0] is not op:
        try:
            form: Generated | None = generate(op, arity)
        except NotExpressibleError:
            form = None
        cached = _GENERATED[(name, arity)] = (op, form)
    return cached[1]


def bodies(name: str, arity: int) -> tuple[str, str] | None:
    """The bodies of ``forward(xs)`` and ``derivatives(out, xs)`` for ``name`` at ``arity``:
    the hand-given form if there is one, else the generated one, else None."""
    form = js_form(name)
    if form is not None:
        return (
            f"{_PRELUDE} return {form.forward};",
            f"{_PRELUDE} return {form.derivatives};",
        )
    made = generated(name, arity)
    return None if made is None else (made.forward, made.derivatives)


def sample_arities(op: Op) -> list[int]:
    """The numbers of inputs a row is tested at: its arity, or for an n-ary row the sizes of
    its test domain and edge points."""
    if op.arity >= 0:
        return [op.arity]
    return sorted({len(op.domain), *(len(point) for point in op.edge_points)})


Uses = Iterable[str] | Mapping[str, Iterable[int]]


def _uses(uses: Uses) -> dict[str, list[int]]:
    """``uses`` as op name -> arities (a plain name: the arities its row is tested at)."""
    if isinstance(uses, Mapping):
        return {name: sorted(set(arities)) for name, arities in uses.items()}
    return {name: sample_arities(OPS[name]) if name in OPS else [] for name in set(uses)}


def missing(uses: Uses) -> list[str]:
    """The op names among ``uses`` (names, or names -> arities used) with no JavaScript form
    at some arity, sorted."""
    return sorted(
        name
        for name, arities in _uses(uses).items()
        if name not in OPS or not arities or any(bodies(name, k) is None for k in arities)
    )


def math_source() -> str:
    """The JavaScript of ``M`` (assets/jsmath.js)."""
    return resources.files(__package__).joinpath("assets/jsmath.js").read_text(encoding="utf-8")


def known() -> list[str]:
    """Every op of the table that has a JavaScript form at the arities it is tested at."""
    return [name for name in OPS if not missing([name])]


def builtin_rows() -> list[Op]:
    """The rows written in :mod:`autograd.core.ops` (not ops a user defined at run time)."""
    return [
        op for op in OPS.values() if getattr(op.forward, "__module__", "") == "autograd.core.ops"
    ]


def _function(signature: str, by_arity: dict[int, str], name: str) -> str:
    """One JavaScript function: the body for its arity, or a switch over ``xs.length`` for an
    n-ary row (a length without a generated body throws)."""
    if OPS[name].arity >= 0 or js_form(name) is not None:
        (body,) = by_arity.values()
        return f"({signature}) => {{ {body} }}"
    cases = " ".join(f"case {k}: {{ {body} }}" for k, body in sorted(by_arity.items()))
    refusal = f"throw new Error({script_json(name)} + ' of ' + xs.length + ' inputs: no form');"
    return f"({signature}) => {{ switch (xs.length) {{ {cases} default: {refusal} }} }}"


def table_source(uses: Uses, variable: str = "OPS") -> str:
    """JavaScript defining ``M`` and ``const OPS = {name: {forward(xs), derivatives(out, xs),
    math}}`` for the ops in ``uses`` (names, or names -> arities used) that have a JavaScript
    form at every arity asked for (the others are left out)."""
    entries = []
    wanted = _uses(uses)
    for name in sorted(set(wanted) - set(missing(wanted))):
        made = {k: bodies(name, k) for k in wanted[name]}
        forwards = {k: pair[0] for k, pair in made.items() if pair}
        derivatives = {k: pair[1] for k, pair in made.items() if pair}
        entries.append(
            f"  {script_json(name)}: {{\n"
            f"    forward: {_function('xs', forwards, name)},\n"
            f"    derivatives: {_function('out, xs', derivatives, name)},\n"
            f"    math: {script_json(OPS[name].math)},\n"
            f"  }},"
        )
    body = "\n".join(entries)
    return f"{math_source()}\nconst {variable} = {{\n{body}\n}};\n"
