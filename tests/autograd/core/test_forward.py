"""jvp: forward mode agrees with reverse mode on random programs over every row."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings

from autograd import OPS, Value, define_op, grad, jvp, remove_op
from autograd.core.forward import tangents_of
from autograd.testing import strategies as gs

N_INPUTS = 3


def agree(forward: float, reverse: Sequence[float], tangent: Sequence[float]) -> None:
    """Relative 1e-12, measured against Σ |∂f/∂x_i t_i| (the size of what is summed), and a
    floor of 1e-14: where paths of size 1 cancel (abs(x) - x, ...), the two modes add them in
    different orders and keep different last bits (2e-16 against 6e-16 for a true 0)."""
    expected = math.fsum(g * t for g, t in zip(reverse, tangent))
    scale = math.fsum(abs(g * t) for g, t in zip(reverse, tangent))
    assert abs(forward - expected) <= 1e-12 * max(scale, abs(forward)) + 1e-14, (
        f"forward {forward!r}, reverse {expected!r}"
    )


def reverse_gradient(program, point) -> list[float]:
    leaves = [Value(x) for x in point]
    return [g.data for g in grad(program(*leaves), leaves)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    gs.programs(n_inputs=N_INPUTS, max_steps=10),
    gs.points(N_INPUTS),
    gs.points(N_INPUTS, -1.0, 1.0),
)
def test_jvp_agrees_with_grad_on_random_programs(program, point, tangent) -> None:
    value, directional = jvp(program, point, tangent)
    assert value == program(*[Value(x) for x in point]).data
    agree(directional, reverse_gradient(program, point), tangent)


def test_jvp_agrees_with_grad_on_programs_with_a_user_row() -> None:
    swish = define_op(
        "swish_fwd",
        lambda m, x: x * m.sigmoid(x),
        lambda m, out, x: (m.sigmoid(x) + out * (1.0 - m.sigmoid(x)),),
    )
    try:

        @settings(max_examples=100, deadline=None)
        @given(
            gs.programs([swish, "mul", "tanh", "add", "pow"], n_inputs=2),
            gs.points(2),
            gs.points(2, -1.0, 1.0),
        )
        def check(program, point, tangent) -> None:
            _, directional = jvp(program, point, tangent)
            agree(directional, reverse_gradient(program, point), tangent)

        check()
    finally:
        remove_op(swish)


@settings(max_examples=60, deadline=None)
@given(gs.programs(n_inputs=2, max_steps=6, confine=False), gs.points(2))
def test_unconfined_programs_run_or_raise_a_domain_error(program, point) -> None:
    try:
        program(*[Value(x) for x in point])
    except (ValueError, ZeroDivisionError, OverflowError):
        pass


def test_a_program_prints_its_steps() -> None:
    tanh, pow_ = OPS["tanh"], OPS["pow"]
    program = gs.Program(1, (gs.Step(tanh, (0,)), gs.Step(pow_, (1, 2.0))))
    assert str(program) == (
        "program of 1 inputs (v0..v0):\n  v1 = tanh(v0→[-3, 3])\n  v2 = pow(v1→[0.1, 4], 2.0)"
    )
    leaf = Value(0.3)
    expected = (0.1 + 3.9 * (-3 + 6 * leaf.sigmoid()).tanh().sigmoid()) ** 2.0
    assert program(leaf).data == expected.data


def test_strategy_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="programs: no op named 'nope' in the table"):
        gs.programs(["nope"])
    with pytest.raises(ValueError, match="needs n_inputs >= 1 and 1 <= min_steps <= max_steps"):
        gs.programs(n_inputs=0)
    with pytest.raises(ValueError, match="programs: needs at least one op"):
        gs.programs([])


def test_jvp_basics() -> None:
    value, tangent = jvp(lambda x, y: x * y + x.exp(), [2.0, 3.0], [1.0, -1.0])
    assert value == 6.0 + math.exp(2.0)
    assert tangent == pytest.approx(3.0 + math.exp(2.0) - 2.0, rel=1e-15)


def test_parameters_are_held_still_and_grads_untouched() -> None:
    w = Value(0.5)
    _, tangent = jvp(lambda x: (w * x).tanh(), [1.0], [1.0])
    assert tangent == pytest.approx(0.5 * (1 - math.tanh(0.5) ** 2)) and w.grad == 0.0


def test_tangents_of_several_outputs_shares_one_walk() -> None:
    x, y = Value(1.0), Value(2.0)
    a, b = x * y, (x * y).sin()
    assert tangents_of([a, b], [x, y], [1.0, 0.0]) == pytest.approx([2.0, 2.0 * math.cos(2.0)])
    assert tangents_of([Value(4.0)], [x], [1.0]) == [0.0]


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (([1.0, 2.0], [1.0]), ValueError, "2 primals but 1 tangents; give one tangent per input"),
        (([1.0], ["a"]), TypeError, r"tangents\[0\] must be a number, got str"),
        (([1.0], [math.nan]), ValueError, r"tangents\[0\] is nan; give finite numbers"),
        ((1.0, [1.0]), TypeError, "primals must be a sequence of numbers"),
    ],
)
def test_bad_arguments_are_named(args, error, message) -> None:
    with pytest.raises(error, match=message):
        jvp(lambda x, *rest: x.tanh(), *args)


def test_f_must_return_a_value() -> None:
    with pytest.raises(TypeError, match="jvp: f must return a Value, got float"):
        jvp(lambda x: 1.0, [1.0], [1.0])  # type: ignore[arg-type, return-value]


def test_a_tangent_that_overflows_raises_naming_the_op() -> None:
    """The true derivative is 1e10, but the tangent of x * 1e300 is infinite on the way."""
    with pytest.raises(
        OverflowError, match=r"jvp: the tangent of the mul node at \(1.0, 1e\+300\)"
    ):
        jvp(lambda x: (x * 1e300) * 1e-300, [1.0], [1e10])


def test_a_tangent_whose_sum_overflows_raises_naming_the_op() -> None:
    with pytest.raises(OverflowError, match=r"jvp: the tangent of the add node .* not a finite"):
        jvp(lambda x: x * 1e200 + x * 1e200, [1.0], [1e108])


def test_jvp_reads_and_changes_no_grad_and_gives_finite_tangents_otherwise() -> None:
    w = Value(3.0)
    w.grad = 0.5
    assert jvp(lambda x: x * w + (x * 1e300) * 1e-300, [1.0], [1e5]) == (4.0, 4e5)
    assert w.grad == 0.5
