"""gradcheck's second order, random direction, forward mode, Richardson, and culprit."""

from __future__ import annotations

import random

import pytest

from autograd import GradcheckError, Value, affine, define_op, gradcheck, remove_op
from autograd.check.gradcheck import find_culprit


def smooth(x: Value, y: Value, z: Value) -> Value:
    return (x * y).tanh() + (z * x).sin() / (1 + y**2) + (y - z).exp().softplus()


@pytest.fixture
def wrong_first():
    """swish with a sign slip in its derivative: σ + f(1 + σ) instead of σ + f(1 - σ)."""
    op = define_op(
        "slip",
        lambda m, x: x * m.sigmoid(x),
        lambda m, out, x: (m.sigmoid(x) + out * (1.0 + m.sigmoid(x)),),
    )
    yield op
    remove_op(op)


def _number(x: object) -> float:
    """The number behind x, as float(x) would give: a rule using it builds no graph on Values."""
    return x.data if isinstance(x, Value) else float(x)  # type: ignore[arg-type]


@pytest.fixture
def wrong_second():
    """cube with a rule that is right on floats but reads the number out of x: under
    create_graph the derivative 3x² is a constant, so d²/dx² comes out 0 instead of 6x."""
    op = define_op("cube", lambda m, x: x * x * x, lambda m, out, x: (3.0 * _number(x) ** 2,))
    yield op
    remove_op(op)


@pytest.mark.parametrize("mode", ["full", "random", "forward"])
@pytest.mark.parametrize("method", ["central", "richardson"])
def test_every_mode_passes_a_smooth_function_at_both_orders(mode, method) -> None:
    assert gradcheck(smooth, [0.3, -0.4, 0.9], order=2, mode=mode, method=method)


@pytest.mark.parametrize("mode", ["full", "random"])
def test_a_wrong_first_derivative_fails_and_names_the_culprit(wrong_first, mode) -> None:
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x, y: wrong_first(x * y) + y.tanh(), [0.3, -0.7], mode=mode)
    error = failure.value
    assert error.culprit is not None and error.culprit.op == "slip"
    assert error.culprit in error.root.parents or error.culprit is error.root.parents[0]
    assert "Culprit: the slip node" in str(error) and "d slip / d x" in str(error)


def test_a_rule_wrong_only_under_create_graph_fails_at_order_2(wrong_second) -> None:
    f = lambda x, y: wrong_second(x) * y  # noqa: E731
    assert gradcheck(f, [0.6, 1.3])  # right on floats: first order passes
    with pytest.raises(GradcheckError, match=r"second derivatives") as failure:
        gradcheck(f, [0.6, 1.3], order=2)
    assert failure.value.culprit.op == "cube"
    assert "rule on Values" in str(failure.value)
    with pytest.raises(GradcheckError, match=r"\(H v\)\[0\]"):
        gradcheck(f, [0.6, 1.3], order=2, mode="random")


def test_forward_mode_catches_a_broken_reverse_walk(monkeypatch) -> None:
    """Both modes read the same rules, so they part only when a walk is wrong: here a backward
    that adds every contribution to a shared input twice."""
    from autograd import topological_order

    original = Value.backward

    def doubled(root: Value) -> None:
        original(root)
        order = topological_order(root)
        for node in order:
            if node.is_leaf and sum(node in n.parents for n in order) > 1:
                node.grad *= 2.0

    f = lambda x, y: x * y + x.tanh()  # noqa: E731
    assert gradcheck(f, [0.5, 2.0], mode="forward")
    monkeypatch.setattr(Value, "backward", doubled)
    with pytest.raises(GradcheckError, match=r"input 0 at .*: reverse .*, forward "):
        gradcheck(f, [0.5, 2.0], mode="forward")


def test_random_mode_checks_all_inputs_in_two_evaluations() -> None:
    calls = 0
    n = 40
    rng = random.Random(1)
    weights = [Value(rng.uniform(-1, 1)) for _ in range(n)]

    def loss(*xs: Value) -> Value:
        nonlocal calls
        calls += 1
        return affine(weights, list(xs), 0.1).tanh()

    point = [rng.uniform(-1, 1) for _ in range(n)]
    assert gradcheck(loss, point, mode="random")
    assert calls == 1 + 2  # the analytic pass, then f(x + εv) and f(x - εv)
    calls = 0
    assert gradcheck(loss, point)
    assert calls == 1 + 2 * n


def test_random_mode_catches_one_bad_input_among_many(wrong_first) -> None:
    rng = random.Random(2)
    point = [rng.uniform(-1, 1) for _ in range(30)]

    def f(*xs: Value) -> Value:
        return sum((x * (k + 1) * 0.1).tanh() for k, x in enumerate(xs[1:])) + wrong_first(xs[0])

    with pytest.raises(GradcheckError, match=r"1 random direction through 30 inputs"):
        gradcheck(f, point, mode="random")


def test_richardson_error_estimate_lets_a_tight_tolerance_pass() -> None:
    f = lambda x: (x * 30.0).sin() * x.exp()  # noqa: E731
    with pytest.raises(GradcheckError):  # central differences at eps=1e-3 are too rough
        gradcheck(f, [0.7], eps=1e-3, atol=1e-9, rtol=1e-9)
    assert gradcheck(f, [0.7], eps=1e-3, atol=1e-9, rtol=1e-9, method="richardson")


def test_no_culprit_when_every_rule_is_right() -> None:
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x: x * Value(x.data), [2.0])  # a cut graph, not a wrong rule
    assert failure.value.culprit is None
    assert "Culprit" not in str(failure.value)


def test_a_kink_is_the_culprit_with_a_note() -> None:
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x, y: (x - y).relu(), [1.0, 1.0])
    assert failure.value.culprit.op == "relu"
    assert "kink" in str(failure.value)


def test_find_culprit_returns_the_first_wrong_node(wrong_first) -> None:
    x = Value(0.4)
    inner = wrong_first(x)
    outer = wrong_first(inner.tanh())
    node, mismatch = find_culprit(outer)
    assert node is inner and mismatch.what == "d slip / d x"
    assert find_culprit((x * 2.0).tanh()) is None


def test_highlight_marks_the_culprit_in_red(wrong_first) -> None:
    pytest.importorskip("graphviz")
    from autograd import draw_dot
    from autograd.viz.draw import HIGHLIGHT

    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x: wrong_first(x).tanh(), [0.5])
    error = failure.value
    source = draw_dot(error.root, highlight=error.culprit, edge_labels=True).source
    plain = draw_dot(error.root, edge_labels=True).source
    assert HIGHLIGHT in source and HIGHLIGHT not in plain
    red_lines = [line for line in source.splitlines() if HIGHLIGHT in line]
    # the op node, its output record, the edge into the op and the edge op -> output
    assert any("slip" in line for line in red_lines) and len(red_lines) == 4


def test_highlight_must_be_in_the_graph() -> None:
    pytest.importorskip("graphviz")
    from autograd import draw_dot

    x = Value(1.0)
    with pytest.raises(ValueError, match="highlighted Value is not in the graph of root"):
        draw_dot(x.tanh(), highlight=Value(2.0))
    with pytest.raises(TypeError, match="highlight must be a Value, got int"):
        draw_dot(x.tanh(), highlight=3)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"order": 3}, "order must be 1 or 2, got 3"),
        ({"mode": "fast"}, r"mode must be one of 'full', 'random', 'forward', got 'fast'"),
        ({"method": "five-point"}, r"method must be one of 'central', 'richardson'"),
        ({"eps": 0.0}, "eps must be a number between 0 and 1, got 0.0"),
    ],
)
def test_bad_options_are_named(options, message) -> None:
    with pytest.raises(ValueError, match=message):
        gradcheck(lambda x: x * x, [1.0], **options)
