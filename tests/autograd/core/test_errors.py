"""Every user-facing error: its type, its message, and an unchanged graph."""

from __future__ import annotations

import math

import pytest

from autograd import Value


@pytest.mark.parametrize(
    ("data", "name"), [("1.0", "str"), (None, "NoneType"), ([1.0], "list"), (True, "bool")]
)
def test_value_rejects_non_numbers_naming_the_type(data: object, name: str) -> None:
    with pytest.raises(TypeError, match=f"Value needs an int or float, got {name}"):
        Value(data)  # type: ignore[arg-type]


def test_value_rejects_nan() -> None:
    with pytest.raises(ValueError, match="NaN"):
        Value(math.nan)


def test_label_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="label must be a str, got int"):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_operators_with_unsupported_types_raise_type_error() -> None:
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + "a"  # type: ignore[operator]
    with pytest.raises(TypeError, match="unsupported operand"):
        None - Value(1.0)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda x: x.log(), ValueError, r"log: operand must be positive, got -1\.0"),
        (lambda x: (x + 1).log(), ValueError, r"log: operand must be positive, got 0\.0"),
        (lambda x: x.sqrt(), ValueError, r"sqrt: operand must be non-negative, got -1\.0"),
        (lambda x: x / 0, ZeroDivisionError, r"div: division by zero \(-1\.0 / 0\.0\)"),
        (lambda x: 1 / (x + 1), ZeroDivisionError, r"div: division by zero \(1\.0 / 0\.0\)"),
        (lambda x: (x + 1) ** -2, ZeroDivisionError, r"pow: 0 raised to a negative power"),
        (lambda x: x**0.5, ValueError, r"pow: negative base -1\.0 with non-integer exponent"),
        (lambda x: x ** Value(2.0), ValueError, r"pow: base must be non-negative"),
        (lambda x: (x * -1000).exp(), OverflowError, r"exp: result overflows .* 1000\.0"),
        (lambda x: (x * -1e200) ** 2, OverflowError, r"pow: result overflows"),
    ],
)
def test_domain_errors_name_the_op_and_operand(make, error, message) -> None:
    x = Value(-1.0)
    with pytest.raises(error, match=message):
        make(x)
    # The failed op never entered the graph: x is untouched and still differentiable.
    assert x.data == -1.0 and x.grad == 0.0
    (x * 2).backward()
    assert x.grad == 2.0


def test_infinite_derivative_in_backward_restores_every_grad() -> None:
    x = Value(0.0)
    y = Value(3.0)
    y.grad = 5.0
    out = x.sqrt() + y * 2
    with pytest.raises(ZeroDivisionError, match=r"derivative of sqrt at \(0\.0\)"):
        out.backward()
    assert (x.grad, y.grad, out.grad) == (0.0, 5.0, 0.0)


@pytest.mark.parametrize("x", [1e4, -1e4, 800.0, -800.0])
@pytest.mark.parametrize("method", ["tanh", "sigmoid", "softplus"])
def test_saturating_functions_stay_finite(method: str, x: float) -> None:
    v = Value(x)
    out = getattr(v, method)()
    out.backward()
    assert math.isfinite(out.data) and math.isfinite(v.grad)
    if method == "softplus":
        assert out.data == pytest.approx(max(x, 0.0))
        assert v.grad == (1.0 if x > 0 else pytest.approx(0.0, abs=1e-300))
