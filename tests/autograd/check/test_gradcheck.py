"""gradcheck passes on correct gradients and explains the ways it can fail."""

from __future__ import annotations

import re

import pytest

from autograd import GradcheckError, Value, gradcheck


def test_passes_on_a_smooth_function() -> None:
    assert gradcheck(lambda x, y: (x * y).tanh() + x.exp() / (1 + y**2), [0.3, -0.4]) is True


def test_kink_is_reported_with_index_values_and_hint() -> None:
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x, y: x.relu() + y, [0.0, 1.0])
    message = str(failure.value)
    assert "failed for 1 of 2 inputs" in message
    assert re.search(r"input 0 at x = \[0.0, 1.0\]: analytic 0.0, numeric 0.49999", message)
    assert "kink" in message
    assert isinstance(failure.value, AssertionError)


def test_graph_cut_through_data_is_reported() -> None:
    with pytest.raises(GradcheckError, match=r"input 0 .*analytic 2\.0.*graph is cut"):
        gradcheck(lambda x: x * Value(x.data), [2.0])


def test_input_that_does_not_reach_the_output() -> None:
    with pytest.raises(GradcheckError, match="does not depend on this input"):
        gradcheck(lambda x, y: Value(x.data * 3) + y, [1.0, 2.0])


def test_wrong_rule_is_reported() -> None:

    def f(x: Value) -> Value:
        out = x * x
        # A hand-made node whose recorded parents do not match its value: 3x^2 vs rule 2x.
        out.data = out.data * x.data
        return out

    with pytest.raises(GradcheckError, match="derivative rule may be wrong"):
        gradcheck(f, [1.5])


def test_f_must_return_a_value() -> None:
    with pytest.raises(TypeError, match="f must return a Value, got float"):
        gradcheck(lambda x: x.data, [1.0])  # type: ignore[arg-type, return-value]


def test_parameters_closed_over_are_not_mistaken_for_cuts() -> None:
    w = Value(0.7)
    assert gradcheck(lambda x: (w * x).sin(), [0.2])


def test_f_that_differentiates_inside_is_checked_correctly() -> None:
    """The numeric side must record graphs too, or grad() inside f would see no parents."""
    from autograd import grad

    assert gradcheck(lambda x: grad(x.tanh(), [x], create_graph=True)[0], [0.5])
