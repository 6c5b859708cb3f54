"""Optimizer steps against their update formulas (and against PyTorch when present)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from autograd import Value
from nn import SGD, Adam


def params_with_grads(datas, grads):
    params = [Value(d) for d in datas]
    for p, g in zip(params, grads, strict=False):
        p.grad = g
    return params


def test_plain_sgd_step():
    params = params_with_grads([1.0, -2.0], [0.5, -1.0])
    SGD(params, lr=0.1).step()
    assert [p.data for p in params] == pytest.approx([1.0 - 0.05, -2.0 + 0.1])


def test_sgd_momentum_and_weight_decay_over_two_steps():
    lr, momentum, decay = 0.1, 0.9, 0.01
    p = Value(1.0)
    optimizer = SGD([p], lr=lr, momentum=momentum, weight_decay=decay)
    # step 1: g = 0.5 + decay * 1.0; v = g (first step); p -= lr * v
    p.grad = 0.5
    optimizer.step()
    g1 = 0.5 + decay * 1.0
    p1 = 1.0 - lr * g1
    assert p.data == pytest.approx(p1, rel=1e-15)
    # step 2: v = momentum * v + g
    p.grad = -0.2
    optimizer.step()
    v2 = momentum * g1 + (-0.2 + decay * p1)
    assert p.data == pytest.approx(p1 - lr * v2, rel=1e-15)


def test_adam_two_steps_with_bias_correction():
    lr, (b1, b2), eps = 0.01, (0.9, 0.999), 1e-8
    p = Value(0.5)
    optimizer = Adam([p], lr=lr, betas=(b1, b2), eps=eps)
    expected, m, v = 0.5, 0.0, 0.0
    for t, g in enumerate([0.3, -0.1], start=1):
        p.grad = g
        optimizer.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        expected -= lr * m_hat / (math.sqrt(v_hat) + eps)
        assert p.data == pytest.approx(expected, rel=1e-14)
    # Bias correction makes the first step about lr * sign(g), whatever the gradient's size.
    q = Value(0.0)
    q.grad = 1e-3
    Adam([q], lr=0.1).step()
    assert q.data == pytest.approx(-0.1, rel=1e-4)


def test_zero_grad():
    params = params_with_grads([1.0, 2.0], [3.0, 4.0])
    Adam(params).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


def test_state_dict_round_trip_and_validation():
    params = params_with_grads([1.0, 2.0], [0.5, 0.5])
    adam = Adam(params, lr=0.1)
    adam.step()
    state = adam.state_dict()
    other = Adam(params_with_grads([1.0, 2.0], [0, 0]), lr=0.1)
    other.load_state_dict(state)
    assert other.state_dict() == state
    with pytest.raises(ValueError, match=re.escape("Adam state 'm' must be a list of 2 numbers")):
        other.load_state_dict({"t": 1, "m": [0.0], "v": [0.0, 0.0]})
    assert other.state_dict() == state
    sgd = SGD(params, lr=0.1, momentum=0.5)
    sgd.step()
    with pytest.raises(ValueError, match="SGD state 'velocity' must be a list of 2 numbers"):
        SGD(params, lr=0.1).load_state_dict({"velocity": [1.0]})


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: SGD([], lr=0.1), "SGD: got no parameters to optimize"),
        (lambda: SGD([Value(1.0)], lr=0.0), "SGD: lr must be a positive number, got 0.0"),
        (lambda: SGD([Value(1.0)], lr=0.1, momentum=1.0), "momentum must be in [0, 1), got 1.0"),
        (lambda: SGD([Value(1.0)], lr=0.1, weight_decay=-1), "weight_decay must be >= 0, got -1"),
        (lambda: Adam([Value(1.0)], betas=(0.9, 1.0)), "Adam: beta2 must be in [0, 1), got 1.0"),
        (lambda: Adam([Value(1.0)], eps=0.0), "Adam: eps must be > 0, got 0.0"),
    ],
)
def test_optimizer_errors(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_non_value_parameter_is_a_type_error():
    with pytest.raises(TypeError, match="SGD: parameter 0 must be a Value, got float"):
        SGD([1.0], lr=0.1)


def test_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional reference")
    start, grads = [0.5, -1.5, 2.0], [[0.3, -0.2, 0.1], [-0.4, 0.5, 0.05], [0.2, 0.2, -0.3]]
    for ours, theirs in [
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
         lambda t: torch.optim.SGD([t], lr=0.1, momentum=0.9, weight_decay=0.01)),
        (lambda ps: Adam(ps, lr=0.05), lambda t: torch.optim.Adam([t], lr=0.05)),
    ]:  # fmt: skip
        params = [Value(x) for x in start]
        tensor = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        optimizer, reference = ours(params), theirs(tensor)
        for g in grads:
            for p, gi in zip(params, g, strict=False):
                p.grad = gi
            tensor.grad = torch.tensor(g, dtype=torch.float64)
            optimizer.step()
            reference.step()
        assert [p.data for p in params] == pytest.approx(tensor.tolist(), rel=1e-12)


@pytest.mark.parametrize("make", [lambda ps: Adam(ps, lr=0.1), lambda ps: SGD(ps, 0.1, 0.9)])
def test_the_state_follows_the_parameters_dtype_in_a_float32_fit(make) -> None:
    """fit(dtype="float32") updates float32 arrays: the optimizer's running state becomes
    float32 too (as PyTorch keeps it), with the same steps as in float64 to float32 precision."""
    runs = {}
    for dtype in (np.float64, np.float32):
        optimizer = make([Value(0.5), Value(-1.5), Value(2.0)])
        params = np.array([0.5, -1.5, 2.0], dtype=dtype)
        for g in ([0.1, -0.2, 0.3], [0.2, 0.1, -0.4], [-0.3, 0.2, 0.1]):
            optimizer.checked_update(params, np.array(g, dtype=dtype))
        state = [v for v in vars(optimizer).values() if isinstance(v, np.ndarray)]
        assert state and all(array.dtype == dtype for array in state)
        assert params.dtype == dtype
        runs[dtype] = params
    np.testing.assert_allclose(runs[np.float32], runs[np.float64], rtol=1e-6)
