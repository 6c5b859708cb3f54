"""The checks' own arguments and side effects: tolerances, sample counts, and user ``.grad``."""

from __future__ import annotations

import math

import pytest

from autograd import OPS, GradcheckError, Value, define_op, gradcheck, remove_op
from autograd.check.gradcheck import MODES, find_culprit
from autograd.testing import check_op


def wrong_square(x: Value) -> Value:
    return x * x


BAD_TOLERANCES = [math.nan, -1.0, math.inf, -math.inf, True, "0.1", None, 1j]


@pytest.mark.parametrize("name", ["atol", "rtol"])
@pytest.mark.parametrize("bad", BAD_TOLERANCES, ids=repr)
@pytest.mark.parametrize("mode", MODES)
def test_gradcheck_refuses_a_tolerance_that_is_not_a_finite_number_at_least_0(
    name, bad, mode
) -> None:
    with pytest.raises(ValueError, match=rf"gradcheck: {name} must be a (finite )?number >= 0"):
        gradcheck(wrong_square, [1.5], mode=mode, **{name: bad})


def test_a_nan_tolerance_no_longer_passes_a_wrong_derivative() -> None:
    """With atol=nan, random and forward modes used to return True for a wrong rule."""
    wrong = define_op(
        "wrong_square", forward=lambda m, x: x * x, derivatives=lambda m, out, x: (3.0 * x,)
    )
    try:
        for mode in ("random", "forward"):
            with pytest.raises(GradcheckError):
                gradcheck(lambda x: wrong(x), [2.0], mode="random")
            with pytest.raises(ValueError, match="atol must be a finite number >= 0, got nan"):
                gradcheck(lambda x: wrong(x), [2.0], atol=math.nan, mode=mode)
    finally:
        remove_op(wrong)


def test_zero_tolerances_are_allowed() -> None:
    assert gradcheck(lambda x: x * 2.0, [1.5], atol=0.0, rtol=0.0, mode="forward")
    assert gradcheck(lambda x: x * 2.0, [1.5], atol=0, rtol=1e-3)  # an int is a number


@pytest.mark.parametrize("bad", [math.nan, -1e-9, True])
def test_check_op_and_find_culprit_refuse_bad_tolerances_too(bad) -> None:
    with pytest.raises(ValueError, match=r"check_op: atol must be"):
        check_op("tanh", atol=bad)
    with pytest.raises(ValueError, match=r"check_op: rtol must be"):
        check_op("tanh", rtol=bad)
    with pytest.raises(ValueError, match=r"find_culprit: atol must be"):
        find_culprit(Value(1.0).tanh(), atol=bad)


@pytest.mark.parametrize("samples", [0, -1, -20, True, 2.5, "3", None])
def test_check_op_refuses_a_sample_count_that_checks_nothing(samples) -> None:
    with pytest.raises(
        ValueError, match=rf"check_op: samples must be an int >= 1, got {samples!r}"
    ):
        check_op(OPS["tanh"], samples=samples)


@pytest.mark.parametrize("count", [-1, True, 1.0])
def test_check_op_refuses_a_bad_second_order_sample_count(count) -> None:
    with pytest.raises(ValueError, match=r"check_op: second_order_samples must be an int >= 0"):
        check_op("tanh", second_order_samples=count)


def test_check_op_with_one_sample_still_checks() -> None:
    assert check_op("tanh", samples=1, second_order_samples=0)


# -- gradcheck leaves every user .grad alone ------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("order", [1, 2])
def test_gradcheck_leaves_the_grad_of_closed_over_parameters_alone(mode, order) -> None:
    w, b = Value(2.0, label="w"), Value(-1.0, label="b")
    w.grad, b.grad = 0.5, -0.25
    hidden = w * 3.0  # an inner node made outside f
    hidden.grad = 7.0
    assert gradcheck(lambda x: (x * w + b).tanh() * hidden, [0.3], order=order, mode=mode)
    assert (w.grad, b.grad, hidden.grad) == (0.5, -0.25, 7.0)


def test_a_failing_gradcheck_leaves_them_alone_too_and_keeps_its_own_gradients() -> None:
    w = Value(2.0, label="w")
    w.grad = 0.5

    def cut(x: Value) -> Value:
        return x * w + Value(x.data) * x  # the second factor cuts the graph

    with pytest.raises(GradcheckError) as failure:
        gradcheck(cut, [1.5])
    assert w.grad == 0.5
    root = failure.value.root
    assert root.grad == 1.0  # nodes made by this call of f keep theirs for draw_dot(root)
