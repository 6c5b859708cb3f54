"""check_op: every built-in row passes; deliberately wrong rows are caught, each by its check."""

from __future__ import annotations

import dataclasses
import math

import pytest

from autograd import OPS, GradcheckError, Value, define_op, remove_op
from autograd.core.ops import Op
from autograd.testing import check_op

BUILT_IN = [op for op in OPS.values() if type(op) is Op]


@pytest.mark.parametrize("op", BUILT_IN, ids=lambda op: op.name)
def test_every_built_in_row_passes(op: Op) -> None:
    assert check_op(op)


def variant(op: Op, **changes: object) -> Op:
    """A copy of a built-in row under another name (not put in the table)."""
    fields = {f.name: getattr(op, f.name) for f in dataclasses.fields(Op) if f.init}
    fields.update(changes, name=f"{op.name}_variant")
    return Op(**fields)


def test_a_wrong_first_derivative_is_caught() -> None:
    tanh = OPS["tanh"]
    wrong = variant(tanh, derivatives=lambda m, out, x: (1.0 - out * out * 1.001,))
    with pytest.raises(GradcheckError) as failure:
        check_op(wrong)
    error = failure.value
    assert any(m.what == "d tanh_variant / d x" for m in error.failures)
    assert "check_op('tanh_variant') failed at" in str(error)


def test_a_derivative_off_by_a_millionth_is_caught() -> None:
    """Richardson's error estimate is small, so the tolerance is tight."""
    sin = OPS["sin"]
    with pytest.raises(GradcheckError, match=r"d sin_variant / d x at x = "):
        check_op(variant(sin, derivatives=lambda m, out, x: (m.cos(x) * (1 + 1e-6),)))


def _number(x: object) -> float:
    return x.data if isinstance(x, Value) else float(x)  # type: ignore[arg-type]


def test_a_rule_right_on_floats_but_wrong_under_create_graph_is_caught() -> None:
    """The derivative reads the number out of x (as math.tanh(x) or float(x) would): right on
    floats, but on Values it is a constant, so d²/dx² comes out 0."""
    tanh = OPS["tanh"]
    wrong = variant(tanh, derivatives=lambda m, out, x: (1.0 - math.tanh(_number(x)) ** 2,))
    with pytest.raises(GradcheckError) as failure:
        check_op(wrong)
    whats = {m.what for m in failure.value.failures}
    assert whats == {"d² tanh_variant / dx dx (rule on Values)"}  # first order is right


def test_a_kink_convention_differing_between_backends_is_caught(monkeypatch) -> None:
    """NumPy's step at 0 made 1 (x >= 0) while floats say relu'(0) = 0."""
    from autograd.core.backends import NumpyMath

    assert check_op("relu")
    monkeypatch.setattr(NumpyMath, "step", staticmethod(lambda x: (x >= 0.0).astype(float)))
    with pytest.raises(GradcheckError) as failure:
        check_op("relu")
    (mismatch,) = failure.value.failures
    assert mismatch.point == (0.0,) and mismatch.names == ("floats", "NumPy")
    assert (mismatch.analytic, mismatch.numeric) == (0.0, 1.0)
    assert "floats 0.0, NumPy 1.0" in str(failure.value)


def test_a_user_row_with_a_python_branch_fails_on_numpy() -> None:
    op = define_op(
        "hard_step",
        lambda m, x: m.relu(x),
        lambda m, out, x: (1.0 if x > 0 else 0.0,),  # fine on floats and Values, not on arrays
    )
    try:
        with pytest.raises(GradcheckError, match=r"the rules fail on NumPy arrays \(ValueError"):
            check_op(op)
    finally:
        remove_op(op)


def test_a_correct_user_row_passes_by_name() -> None:
    op = define_op(
        "gelu_tanh",
        forward=lambda m, x: 0.5 * x * (1.0 + m.tanh(0.7978845608028654 * (x + 0.044715 * x**3))),
        derivatives=lambda m, out, x: (
            0.5 * (1.0 + m.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))
            + 0.5 * x * (1.0 - m.tanh(0.7978845608028654 * (x + 0.044715 * x**3)) ** 2)
            * 0.7978845608028654 * (1.0 + 3 * 0.044715 * x**2),
        ),
        edge_points=[(0.0,), (-10.0,), (10.0,)],
    )  # fmt: skip
    try:
        assert check_op("gelu_tanh")
    finally:
        remove_op(op)


def test_points_where_the_rules_raise_are_reported() -> None:
    log = OPS["log"]
    with pytest.raises(GradcheckError, match=r"at x = \[-1.0\] the rules raise ValueError"):
        check_op(variant(log, edge_points=((-1.0,),)))


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="check_op: no op named 'nope' in the table"):
        check_op("nope")
    with pytest.raises(TypeError, match=r"check_op: needs an Op .*, got int"):
        check_op(3)  # type: ignore[arg-type]
