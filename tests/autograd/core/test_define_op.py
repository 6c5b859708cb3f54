"""define_op: a row of your own works with every consumer of the table, and bad rows are refused."""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import OPS, GradcheckError, Value, define_op, explain, grad, gradcheck, jvp, remove_op
from autograd.core.define import user_defined


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def swish_prime(x: float) -> float:
    return sigmoid(x) + x * sigmoid(x) * (1.0 - sigmoid(x))


def swish_second(x: float) -> float:
    s = sigmoid(x)
    return s * (1.0 - s) * (2.0 + x * (1.0 - 2.0 * s))


@pytest.fixture
def swish():
    op = define_op(
        "swish",
        forward=lambda m, x: x * m.sigmoid(x),
        derivatives=lambda m, out, x: (m.sigmoid(x) + out * (1.0 - m.sigmoid(x)),),
        label="swish",
        math="f = x σ(x); f' = σ(x) + f (1 - σ(x))",
        domain=[(-4.0, 4.0)],
    )
    yield op
    remove_op(op)


@pytest.fixture
def scaled():
    """A two-input row with a constant input: f = c * x^2."""
    op = define_op(
        "scaled_square",
        forward=lambda m, x, c: m.const(c) * x * x,
        derivatives=lambda m, out, x, c: (2.0 * m.const(c) * x, 0.0),
        constant_inputs=(1,),
        domain=[(-2.0, 2.0), (0.5, 3.0)],
    )
    yield op
    remove_op(op)


def test_calling_the_op_makes_a_node_in_the_table(swish) -> None:
    y = swish(Value(0.5))
    assert y.op == "swish" and OPS["swish"] is swish
    assert y.data == pytest.approx(0.5 * sigmoid(0.5), rel=1e-15)
    assert swish(2.0).data == pytest.approx(2.0 * sigmoid(2.0))  # a number becomes a constant
    assert "swish" in user_defined() and repr(swish) == "Op('swish')"


def test_backward(swish) -> None:
    x = Value(0.7)
    (swish(x) * 3.0).backward()
    assert x.grad == pytest.approx(3.0 * swish_prime(0.7), rel=1e-14)


def test_grad_create_graph_runs_the_rule_on_values(swish) -> None:
    x = Value(-1.3)
    (first,) = grad(swish(x), [x], create_graph=True)
    (second,) = grad(first, [x])
    assert first.data == pytest.approx(swish_prime(-1.3), rel=1e-14)
    assert second.data == pytest.approx(swish_second(-1.3), rel=1e-12)


def test_compile_runs_the_rule_on_numpy(swish) -> None:
    np = pytest.importorskip("numpy")
    w = Value(0.8, label="w")
    compiled = autograd.compile(lambda xs: swish(xs[0] * w + xs[1]), 2)
    X = np.array([[0.5, -0.2], [1.5, 0.3], [-2.0, 1.0]])
    eager = [swish(Value(a) * w + b) for a, b in X.tolist()]
    assert compiled(X) == pytest.approx([v.data for v in eager], rel=1e-14)
    compiled.backward(X, reduction="sum")
    expected = sum(swish_prime(a * 0.8 + b) * a for a, b in X.tolist())
    assert w.grad == pytest.approx(expected, rel=1e-12)


def test_draw_dot_labels_the_op_and_its_edge(swish) -> None:
    pytest.importorskip("graphviz")
    x = Value(0.5, label="x")
    y = swish(x)
    y.backward()
    source = autograd.draw_dot(y, edge_labels=True).source
    assert 'label="swish"' in source or "label=swish" in source
    assert f"{swish_prime(0.5):.4f}" in source  # the local derivative on the edge x -> swish


def test_explain_reads_the_rule(swish) -> None:
    x = Value(0.5, label="x")
    y = swish(x) + x
    explanation = explain(y, x)
    assert explanation.n_paths == 2
    assert explanation.total == pytest.approx(swish_prime(0.5) + 1.0, rel=1e-14)


def test_gradcheck_first_and_second_order(swish) -> None:
    assert gradcheck(lambda x, y: swish(x * y) + swish(y), [0.3, -1.1], order=2)


def test_jvp_reads_the_rule(swish) -> None:
    value, tangent = jvp(lambda x: swish(x), [0.9], [2.0])
    assert value == pytest.approx(0.9 * sigmoid(0.9)) and tangent == pytest.approx(
        2.0 * swish_prime(0.9), rel=1e-14
    )


def test_constant_inputs_get_no_gradient(scaled) -> None:
    x = Value(1.5)
    y = scaled(x, 2.0)
    y.backward()
    assert y.data == 4.5 and x.grad == 6.0
    assert gradcheck(lambda x: scaled(x, 2.5), [0.7], order=2)


# -- refused rows ------------------------------------------------------------------------------


def test_a_clashing_name_is_refused(swish) -> None:
    with pytest.raises(ValueError, match=r"'tanh' is already in the table \(a built-in op\)"):
        define_op("tanh", lambda m, x: x, lambda m, out, x: (1.0,))
    with pytest.raises(ValueError, match=r"'swish' is already in the table \(an op you defined\)"):
        define_op("swish", lambda m, x: x, lambda m, out, x: (1.0,))
    assert OPS["swish"] is swish


def test_a_rule_with_the_wrong_number_of_derivatives_is_refused() -> None:
    with pytest.raises(ValueError, match=r"derivatives returned 2 derivatives for 1 input at"):
        define_op("twice", lambda m, x: 2.0 * x, lambda m, out, x: (2.0, 0.0))
    with pytest.raises(ValueError, match=r"must return a tuple \(one derivative per input\)"):
        define_op("twice", lambda m, x: 2.0 * x, lambda m, out, x: 2.0)
    assert "twice" not in OPS


def test_the_probe_uses_the_domain() -> None:
    with pytest.raises(ValueError, match=r"the rules fail at \(0.0,\) .*ValueError: math domain"):
        define_op("mylog", lambda m, x: m.log(x), lambda m, out, x: (1.0 / x,))
    op = define_op("mylog", lambda m, x: m.log(x), lambda m, out, x: (1.0 / x,), domain=[(0.5, 2)])
    remove_op(op)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "has space"}, "name must be an identifier"),
        ({"forward": lambda m: 1.0}, r"forward must take the math backend and at least one"),
        ({"domain": [(1.0, -1.0)]}, r"must be finite, low < high"),
        ({"domain": [(0, 1), (0, 1)]}, "forward takes 1 inputs but domain has 2 intervals"),
        ({"forward": lambda m, *xs: m.sum(xs)}, r"takes any number of inputs \(\*xs\); give a"),
        ({"derivatives": lambda m, out, x: (math.inf,)}, "derivative 0 is inf"),
        ({"forward": lambda m, x: "text"}, "forward returned str"),
        ({"constant_inputs": (3,)}, "constant input 3 is not an input"),
        ({"edge_points": [(1.0, 2.0)]}, r"edge point \(1.0, 2.0\) has 2 inputs, not 1"),
    ],
)
def test_bad_rows_are_refused_with_the_reason(kwargs, message) -> None:
    row = {"name": "ok", "forward": lambda m, x: x, "derivatives": lambda m, out, x: (1.0,)}
    row.update(kwargs)
    with pytest.raises(ValueError, match=message):
        define_op(**row)
    assert "ok" not in OPS


def test_remove_op_only_removes_user_rows(swish) -> None:
    with pytest.raises(ValueError, match="'tanh' is a built-in op; only ops made by define_op"):
        remove_op("tanh")
    with pytest.raises(ValueError, match="'nothing' is not in the table"):
        remove_op("nothing")


def test_calls_with_bad_arguments_name_the_op(swish) -> None:
    with pytest.raises(TypeError, match="swish: takes 1 input, got 2"):
        swish(1.0, 2.0)
    with pytest.raises(TypeError, match="swish: input 0 must be a Value or a number, got str"):
        swish("x")


def test_a_result_that_is_not_finite_is_an_error_not_a_nan() -> None:
    op = define_op(
        "unsafe_log", lambda m, x: m.log(x), lambda m, out, x: (1.0 / x,), domain=[(1, 2)]
    )
    try:
        with pytest.raises(OverflowError, match=r"unsafe_log: the result for \(-1.0\) is not a"):
            op(Value(-1.0))
        big = define_op("big", lambda m, x: 1e308 * x, lambda m, out, x: (1e308,))
        with pytest.raises(OverflowError, match=r"big: the result for \(10.0\) is not a finite"):
            big(10.0)
        remove_op(big)
    finally:
        remove_op(op)


def test_the_domain_check_runs_before_the_forward() -> None:
    def positive(x: float) -> None:
        if x <= 0:
            raise ValueError(f"root: needs x > 0, got {x!r}")

    op = define_op(
        "root", lambda m, x: m.sqrt(x), lambda m, out, x: (0.5 / out,), domain=[(0.1, 4)],
        check=positive,
    )  # fmt: skip
    try:
        with pytest.raises(ValueError, match=r"root: needs x > 0, got -2.0"):
            op(-2.0)
    finally:
        remove_op(op)


def test_a_wrong_user_rule_is_named_as_the_culprit() -> None:
    op = define_op("wrong", lambda m, x: x * x, lambda m, out, x: (3.0 * x,))
    try:
        with pytest.raises(GradcheckError) as failure:
            gradcheck(lambda x: op(x.tanh()) + x, [0.4])
        assert failure.value.culprit.op == "wrong"
    finally:
        remove_op(op)
