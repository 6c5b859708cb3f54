"""The op table's JavaScript forms are generated from the rows (autograd.viz.jsgen): every row
has one; their source reads as the rule; Node.js runs each at the row's test and edge points
and agrees with Python to 1e-12; a row edited in Python changes its form (issue 19.8, 21.2).
The same check in Chromium: tests/browser/test_jsops_browser.py."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess

import pytest

from autograd import OPS
from autograd.viz import jsops
from autograd.viz.jsgen import generate
from tests.conftest import need, sample_points

RELATIVE = 1e-12
# Points the rows' own edge points lack: pow and scaled_log at c = 0 (0 even at x = 0, as in
# Python), and sums where only an exactly rounded sum (math.fsum) gives 1.0, not 0.0.
EXTRA_POINTS = {
    "pow": [(0.0, 0.0), (2.0, 0.0), (-1.5, 0.0), (0.0, 1.0)],
    "scaled_log": [(0.0, 0.0), (2.0, 0.0)],
    "sum": [(1e16, 1.0, -1e16)],
    "dot": [(1e16, 1.0, -1e16, 1.0, 1.0, 1.0)],
    "leaky_relu": [(0.0, 0.1)],
    "relu": [(0.0,)],
    "abs": [(0.0,)],
}


@pytest.mark.parametrize("op", jsops.builtin_rows(), ids=lambda op: op.name)
def test_every_row_has_a_generated_javascript_form(op) -> None:
    assert jsops.missing([op.name]) == [], (
        f"op {op.name!r}: its rules cannot be written out in JavaScript (autograd.viz.jsgen); "
        "write them with m's functions only, or add M's twin in assets/jsmath.js"
    )


def test_generated_forms_read_as_the_rules() -> None:
    """The structure of a few forms, compared as source."""
    expected = {
        ("mul", 2): ("return (xs[0] * xs[1]);", "return [xs[1], xs[0]];"),
        ("tanh", 1): ("return M.tanh(xs[0]);", "return [(1.0 - (out * out))];"),
        ("pow", 2): ("return M.pow(xs[0], xs[1]);", "return [M.power_rule(xs[0], xs[1]), 0.0];"),
        ("affine", 5): (
            "return (M.fsum([(xs[0] * xs[2]), (xs[1] * xs[3])]) + xs[4]);",
            "return [xs[2], xs[3], xs[0], xs[1], 1.0];",
        ),
        ("relu", 1): ("return M.relu(xs[0]);", "return [M.step(xs[0])];"),
    }
    for (name, arity), (forward, derivatives) in expected.items():
        made = generate(OPS[name], arity)
        assert (made.forward, made.derivatives) == (forward, derivatives), name


def python_cases(op) -> list[dict]:
    """The row's forward and local derivatives at its test and edge points (inside its domain)."""
    cases = []
    for point in sample_points(op, 40) + EXTRA_POINTS.get(op.name, []):
        if op.check is not None:
            try:
                op.check(*point)
            except (ValueError, ZeroDivisionError, OverflowError):
                continue  # outside the domain: the Python row refuses it before computing
        out = op.float_forward(*point)
        local = list(op.float_derivatives(out, *point))
        cases.append({"name": op.name, "xs": list(point), "out": out, "derivatives": local})
    return cases


def run_in_node(source: str, cases: list[dict]) -> list[dict]:
    """Each case's forward and derivatives computed by ``OPS`` of ``source`` in Node.js."""
    node = shutil.which("node") or shutil.which("nodejs")
    need(node is not None, "Node.js is needed to run the JavaScript forms: apt-get install nodejs")
    program = (
        source
        + "\nconst cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        + "console.log(JSON.stringify(cases.map(({name, xs}) => {\n"
        + "  const out = OPS[name].forward(xs);\n"
        + "  return {out: String(out), derivatives: OPS[name].derivatives(out, xs).map(String)};\n"
        + "})));\n"
    )
    done = subprocess.run(
        [node, "-e", program], input=json.dumps(cases), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return [
        {"out": float(r["out"]), "derivatives": [float(d) for d in r["derivatives"]]}
        for r in json.loads(done.stdout)
    ]


def _close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= RELATIVE * max(abs(a), abs(b))


def test_javascript_forms_agree_with_the_python_rows_at_every_edge_point() -> None:
    rows = jsops.builtin_rows()
    cases = [case for op in rows for case in python_cases(op)]
    arities: dict[str, set[int]] = {}
    for case in cases:
        arities.setdefault(case["name"], set()).add(len(case["xs"]))
    shown = run_in_node(jsops.table_source(arities), cases)
    failures = []
    for case, got in zip(cases, shown, strict=True):
        assert len(got["derivatives"]) == len(case["derivatives"]), case
        pairs = [("forward", case["out"], got["out"])] + [
            (f"d/dx{i}", want, have)
            for i, (want, have) in enumerate(zip(case["derivatives"], got["derivatives"]))
        ]
        for what, want, have in pairs:
            if not _close(want, have):
                where = f"{case['name']} at {case['xs']}: {what}"
                failures.append(f"{where} Python {want!r}, JS {have!r}")
    assert not failures, "\n".join(failures[:20])
    assert len(cases) > 500 and {case["name"] for case in cases} == {op.name for op in rows}
    assert any(c["name"] == "pow" and c["xs"] == [0.0, 0.0] for c in cases)


def test_a_row_edited_in_python_changes_the_browser_form(monkeypatch) -> None:
    before = jsops.table_source(["tanh"])
    edited = dataclasses.replace(
        OPS["tanh"], derivatives=lambda m, out, x: (2.0 * (1.0 - out * out),)
    )
    monkeypatch.setitem(OPS, "tanh", edited)
    after = jsops.table_source(["tanh"])
    assert after != before and "(2.0 * (1.0 - (out * out)))" in after
    case = {"name": "tanh", "xs": [0.5], "out": 0.0, "derivatives": []}
    (got,) = run_in_node(after, [case])
    assert _close(got["derivatives"][0], edited.float_derivatives(got["out"], 0.5)[0])


def test_a_user_op_written_with_m_gets_a_form_and_one_written_for_floats_does_not(
    define_op,
) -> None:
    import math

    swish = define_op(
        "swish_m",
        lambda m, x: x * m.sigmoid(x),
        lambda m, out, x: (m.sigmoid(x) + out * (1.0 - m.sigmoid(x)),),
        math="f = x σ(x)",
    )
    floats = define_op(
        "exp_floats", lambda m, x: math.exp(x), lambda m, out, x: (out,), math="f = e^x"
    )
    branchy = define_op(
        "branchy", lambda m, x: x if x > 0 else 0.0 * x, lambda m, out, x: (1.0,), math="?"
    )
    assert jsops.missing([swish.name, floats.name, branchy.name]) == ["branchy", "exp_floats"]
    case = {"name": "swish_m", "xs": [1.5], "out": 0.0, "derivatives": []}
    (got,) = run_in_node(jsops.table_source(["swish_m"]), [case])
    out = swish.float_forward(1.5)
    assert _close(got["out"], out)
    assert _close(got["derivatives"][0], swish.float_derivatives(out, 1.5)[0])


def test_n_ary_forms_switch_on_the_number_of_inputs() -> None:
    source = jsops.table_source({"sum": [2, 4]})
    cases = [
        {"name": "sum", "xs": [1.0, 2.0], "out": 3.0, "derivatives": [1.0, 1.0]},
        {"name": "sum", "xs": [1.0, 2.0, 3.0, 4.0], "out": 10.0, "derivatives": [1.0] * 4},
    ]
    got = run_in_node(source, cases)
    assert [g["out"] for g in got] == [3.0, 10.0]
    with pytest.raises(AssertionError, match="sum of 3 inputs: no form"):
        run_in_node(source, [{"name": "sum", "xs": [1.0, 2.0, 3.0]}])


def test_table_source_defines_the_ops_asked_for() -> None:
    source = jsops.table_source(["mul", "tanh", "no_such_op"])
    assert '"mul": {' in source and '"tanh": {' in source and "no_such_op" not in source
    assert "const M = " in source and "function fsum" in source
    assert jsops.missing(["mul", "no_such_op", "other"]) == ["no_such_op", "other"]


def test_add_js_form_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="no op named 'nope'"):
        jsops.add_js_form("nope", "x", "[1]")
    with pytest.raises(ValueError, match="'mul' already has a JavaScript form, generated"):
        jsops.add_js_form("mul", "x * y", "[y, x]")
    with pytest.raises(ValueError, match="forward must be a JavaScript expression, got ' '"):
        jsops.add_js_form("mul", " ", "[1]")
    with pytest.raises(ValueError, match="derivatives must be a JavaScript expression"):
        jsops.add_js_form("mul", "x * y", None)
