"""Each loss: its value and gradient against the formula in its docstring, and PyTorch."""

from __future__ import annotations

import math
import re

import pytest

from autograd import Value
from nn import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    log_softmax,
    mse_loss,
    softmax,
)


def leaves(numbers):
    return [Value(x) for x in numbers]


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_mse_value_and_gradient():
    a, y = leaves([0.5, -1.0, 2.0]), [1.0, 0.0, 2.5]
    loss = mse_loss(a, y)
    n = 3
    assert loss.data == pytest.approx(
        sum((ai.data - yi) ** 2 for ai, yi in zip(a, y, strict=False)) / n
    )
    loss.backward()
    for ai, yi in zip(a, y, strict=False):
        assert ai.grad == pytest.approx(2 * (ai.data - yi) / n, rel=1e-12)


def test_mse_of_one_prediction_is_the_notes_2_a_minus_y():
    a = Value(0.8)
    loss = mse_loss(a, 1.0)
    loss.backward()
    assert loss.data == pytest.approx(0.04) and a.grad == pytest.approx(2 * (0.8 - 1.0))


def test_binary_cross_entropy_value_and_gradient():
    p, y = leaves([0.9, 0.2, 0.6]), [1.0, 0.0, 0.3]
    loss = binary_cross_entropy(p, y)
    expected = -sum(
        yi * math.log(pi.data) + (1 - yi) * math.log(1 - pi.data)
        for pi, yi in zip(p, y, strict=False)
    )
    assert loss.data == pytest.approx(expected / 3, rel=1e-12)
    loss.backward()
    for pi, yi in zip(p, y, strict=False):
        assert pi.grad == pytest.approx((pi.data - yi) / (pi.data * (1 - pi.data) * 3), rel=1e-12)


def test_binary_cross_entropy_at_the_edges():
    # A term of weight 0 adds nothing, even where its log is ln 0: p = 1 with y = 1 costs 0,
    # and the gradient is that of the other term alone, -y/p.
    p = Value(1.0)
    loss = binary_cross_entropy(p, 1.0)
    loss.backward()
    assert loss.data == 0.0 and p.grad == -1.0
    assert binary_cross_entropy(Value(0.0), 0.0).data == 0.0
    with pytest.raises(ValueError, match=re.escape("got x = 0.0, c = 1.0")):
        binary_cross_entropy(Value(1.0), 0.0)
    with pytest.raises(ValueError, match="use binary_cross_entropy_with_logits"):
        binary_cross_entropy([Value(0.5), Value(0.0)], [0.0, 1.0])
    with pytest.raises(ValueError, match=re.escape("got x = -0.5, c = 0.0; in binary_cross")):
        binary_cross_entropy(Value(1.5), 1.0)
    with pytest.raises(ValueError, match=re.escape("target 0 must be in [0, 1], got 2")):
        binary_cross_entropy(Value(0.5), 2.0)


def test_binary_cross_entropy_with_logits_matches_bce_of_sigmoid_and_is_stable():
    z, y = leaves([2.0, -1.0, 0.3]), [1.0, 0.0, 1.0]
    loss = binary_cross_entropy_with_logits(z, y)
    probs = [sigmoid(zi.data) for zi in z]
    expected = (
        -sum(yi * math.log(p) + (1 - yi) * math.log(1 - p) for p, yi in zip(probs, y, strict=False))
        / 3
    )
    assert loss.data == pytest.approx(expected, rel=1e-12)
    loss.backward()
    for zi, yi in zip(z, y, strict=False):
        assert zi.grad == pytest.approx((sigmoid(zi.data) - yi) / 3, rel=1e-12)
    far = binary_cross_entropy_with_logits(Value(1000.0), 0.0)
    assert far.data == pytest.approx(1000.0)
    assert binary_cross_entropy_with_logits(Value(-1000.0), 0.0).data == 0.0


def test_softmax_sums_to_one_and_survives_large_logits():
    probs = softmax(leaves([1000.0, 1001.0, 999.0]))
    assert sum(p.data for p in probs) == pytest.approx(1.0)
    expected = [math.exp(-1) / (1 + math.exp(-1) + math.exp(-2))]
    assert probs[0].data == pytest.approx(expected[0], rel=1e-12)


def test_softmax_jacobian():
    z = leaves([0.5, -1.0, 2.0])
    probs = softmax(z)
    s = [p.data for p in probs]
    probs[1].backward()  # d s_1 / d z_j = s_1 ([1 = j] - s_j)
    for j, zj in enumerate(z):
        assert zj.grad == pytest.approx(s[1] * ((1 == j) - s[j]), rel=1e-12, abs=1e-15)


def test_log_softmax_is_log_of_softmax():
    z = [0.2, 3.0, -1.5]
    assert [v.data for v in log_softmax(z)] == pytest.approx(
        [math.log(v.data) for v in softmax(z)], rel=1e-12
    )


def test_cross_entropy_value_and_gradient():
    z = leaves([1.0, 2.0, 0.5, -1.0])
    loss = cross_entropy(z, 2)
    total = sum(math.exp(zi.data) for zi in z)
    assert loss.data == pytest.approx(-math.log(math.exp(0.5) / total), rel=1e-12)
    loss.backward()
    for j, zj in enumerate(z):
        assert zj.grad == pytest.approx(math.exp(zj.data) / total - (j == 2), rel=1e-12)


def test_cross_entropy_is_stable_for_large_logits():
    z = leaves([1000.0, -1000.0, 0.0])
    loss = cross_entropy(z, 1)
    assert loss.data == pytest.approx(2000.0)
    loss.backward()
    assert z[1].grad == pytest.approx(-1.0) and z[0].grad == pytest.approx(1.0)


def test_cross_entropy_errors():
    with pytest.raises(ValueError, match=re.escape("target_index 3 is out of range for 3 logits")):
        cross_entropy([1.0, 2.0, 3.0], 3)
    with pytest.raises(TypeError, match=re.escape("(or one weight per class), got 1.0")):
        cross_entropy([1.0, 2.0], 1.0)
    with pytest.raises(ValueError, match="cross_entropy: needs at least one prediction"):
        cross_entropy([], 0)


def test_hinge_value_and_gradient():
    s, y = leaves([0.5, -2.0, 3.0, -0.2]), [1.0, -1.0, -1.0, 1.0]
    loss = hinge_loss(s, y)
    margins = [max(0.0, 1 - yi * si.data) for si, yi in zip(s, y, strict=False)]
    assert loss.data == pytest.approx(sum(margins) / 4)
    loss.backward()
    for si, yi in zip(s, y, strict=False):
        assert si.grad == pytest.approx(-yi / 4 if yi * si.data < 1 else 0.0)


def test_hinge_and_length_errors():
    with pytest.raises(ValueError, match="hinge_loss: label 1 must be -1 or \\+1, got 0"):
        hinge_loss([1.0, 2.0], [1, 0])
    with pytest.raises(ValueError, match=re.escape("mse_loss: 2 prediction(s) but 3 target(s)")):
        mse_loss([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="mse_loss: prediction 0 must be a Value or a number"):
        mse_loss(["a"], [1.0])
    with pytest.raises(TypeError, match="mse_loss: target 0 must be a number"):
        mse_loss([1.0], ["a"])


# --- PyTorch as the reference -------------------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="PyTorch is the optional reference for losses")


def _compare(torch, ours, theirs, numbers, *args):
    x = leaves(numbers)
    loss = ours(x, *args)
    loss.backward()
    t = torch.tensor(numbers, dtype=torch.float64, requires_grad=True)
    reference = theirs(t)
    reference.backward()
    assert loss.data == pytest.approx(reference.item(), rel=1e-12, abs=1e-15)
    assert [v.grad for v in x] == pytest.approx(t.grad.tolist(), rel=1e-10, abs=1e-14)


def test_losses_against_torch(torch):
    functional = torch.nn.functional
    targets = [1.0, 0.0, 1.0]
    y = torch.tensor(targets, dtype=torch.float64)
    _compare(torch, mse_loss, lambda t: functional.mse_loss(t, y), [0.2, -0.4, 1.7], targets)
    _compare(
        torch, binary_cross_entropy, lambda t: functional.binary_cross_entropy(t, y),
        [0.7, 0.1, 0.4], targets,
    )  # fmt: skip
    _compare(
        torch, binary_cross_entropy_with_logits,
        lambda t: functional.binary_cross_entropy_with_logits(t, y), [3.0, -0.5, 40.0], targets,
    )  # fmt: skip
    _compare(
        torch, cross_entropy,
        lambda t: functional.cross_entropy(t[None, :], torch.tensor([1])), [0.3, 2.0, -1.0], 1,
    )  # fmt: skip
    labels = torch.tensor([1.0, -1.0, 1.0], dtype=torch.float64)
    _compare(
        torch, hinge_loss, lambda t: torch.relu(1 - labels * t).mean(), [0.3, 0.5, 2.0],
        [1.0, -1.0, 1.0],
    )  # fmt: skip
    probs = softmax(leaves([5.0, 1.0, -2.0]))
    reference = torch.softmax(torch.tensor([5.0, 1.0, -2.0], dtype=torch.float64), 0)
    assert [p.data for p in probs] == pytest.approx(reference.tolist(), rel=1e-12)


def test_target_numbers_enter_the_graph_as_named_constants() -> None:
    """A drawn loss shows where each label enters: y for one target, y0, y1, ... for several,
    and 1 - y beside y in binary cross-entropy."""
    from autograd import topological_order
    from autograd.core.value import Constant

    def constants(root: Value) -> dict[str, float]:
        return {v.label: v.data for v in topological_order(root) if type(v) is Constant}

    a = Value(0.3)
    assert constants(mse_loss([a], [0.5]))["y"] == 0.5
    named = constants(hinge_loss([a, Value(-0.2)], [1, -1]))
    assert (named["y0"], named["y1"]) == (1.0, -1.0)
    named = constants(binary_cross_entropy([Value(0.7)], [0.25]))
    assert (named["y"], named["1 - y"]) == (0.25, 0.75)
