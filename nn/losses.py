"""Losses (a cost C that says how wrong the network is) and softmax, each one Value.

Every docstring gives C and dC/d(prediction); the tests check both against these formulas.
``a`` is a prediction, ``y`` its target, ``n`` the number of predictions.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import autograd
from autograd import Value
from autograd.value import Constant

Predictions = Value | float | Sequence[Value | float]
Targets = float | Sequence[float]


def _values(xs: Predictions, who: str) -> list[Value]:
    items = [xs] if isinstance(xs, (Value, numbers.Real)) else list(xs)
    if not items:
        raise ValueError(f"{who}: needs at least one prediction")
    out = []
    for i, x in enumerate(items):
        if isinstance(x, Value):
            out.append(x)
        elif isinstance(x, numbers.Real) and not isinstance(x, bool):
            out.append(Constant(float(x)))
        else:
            raise TypeError(f"{who}: prediction {i} must be a Value or a number, got {x!r:.40}")
    return out


def _targets(ys: Targets, n: int, who: str) -> list[float]:
    items = [ys] if isinstance(ys, numbers.Real) else list(ys)
    if len(items) != n:
        raise ValueError(f"{who}: {n} prediction(s) but {len(items)} target(s)")
    for i, y in enumerate(items):
        if isinstance(y, bool) or not isinstance(y, numbers.Real):
            raise TypeError(f"{who}: target {i} must be a number, got {y!r:.40}")
    return [float(y) for y in items]


def mse_loss(preds: Predictions, targets: Targets) -> Value:
    """Mean squared error: C = (1/n) Σ (a_i - y_i)^2;  dC/da_i = 2 (a_i - y_i) / n."""
    a = _values(preds, "mse_loss")
    y = _targets(targets, len(a), "mse_loss")
    return autograd.sum([(ai - yi) ** 2 for ai, yi in zip(a, y, strict=True)]) / len(a)


def binary_cross_entropy(probs: Predictions, targets: Targets) -> Value:
    """C = -(1/n) Σ [y_i ln p_i + (1 - y_i) ln(1 - p_i)] for probabilities p_i in [0, 1];
    dC/dp_i = (p_i - y_i) / (p_i (1 - p_i) n).

    A term whose weight is 0 is skipped (y = 1 needs no ln(1 - p)), so p = 1 with y = 1 is
    fine; p = 1 with y < 1 (or p = 0 with y > 0) would be ln 0 = -inf and raises ValueError.
    A sigmoid rounds to exactly 1.0 for inputs above ~37: then use
    :func:`binary_cross_entropy_with_logits` on the sigmoid's input instead.
    """
    p = _values(probs, "binary_cross_entropy")
    y = _targets(targets, len(p), "binary_cross_entropy")
    terms: list[Value] = []
    for i, (pi, yi) in enumerate(zip(p, y, strict=True)):
        if not 0.0 <= yi <= 1.0:
            raise ValueError(f"binary_cross_entropy: target {i} must be in [0, 1], got {yi}")
        if not 0.0 <= pi.data <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: probability {i} must be in [0, 1], got {pi.data}"
            )
        for weight, inside, bad in ((yi, pi, 0.0), (1.0 - yi, 1.0 - pi, 1.0)):
            if weight == 0.0:
                continue
            if pi.data == bad:
                raise ValueError(
                    f"binary_cross_entropy: probability {i} is exactly {bad} with target {yi}, "
                    f"so the loss is ln 0 = -inf; use binary_cross_entropy_with_logits on the "
                    f"logit (the input of the sigmoid), which is stable"
                )
            terms.append(weight * inside.log())
    return -autograd.sum(terms) / len(p)


def binary_cross_entropy_with_logits(logits: Predictions, targets: Targets) -> Value:
    """Binary cross-entropy of p = σ(z), computed from the logit z without forming p:
    C = (1/n) Σ [softplus(z_i) - y_i z_i]  (since -ln σ(z) = softplus(-z));
    dC/dz_i = (σ(z_i) - y_i) / n. Finite for any z.
    """
    z = _values(logits, "binary_cross_entropy_with_logits")
    y = _targets(targets, len(z), "binary_cross_entropy_with_logits")
    for i, yi in enumerate(y):
        if not 0.0 <= yi <= 1.0:
            raise ValueError(
                f"binary_cross_entropy_with_logits: target {i} must be in [0, 1], got {yi}"
            )
    terms = [zi.softplus() - yi * zi if yi else zi.softplus() for zi, yi in zip(z, y, strict=True)]
    return autograd.sum(terms) / len(z)


def log_softmax(logits: Sequence[Value | float]) -> list[Value]:
    """log softmax_i = z_i - m - ln Σ_j e^(z_j - m), with m = max_j z_j (a constant) so no
    exponent is positive: stable for any logits. d/dz_j = [i = j] - softmax_j."""
    z = _values(logits, "log_softmax")
    m = max(zi.data for zi in z)
    log_total = autograd.sum([(zi - m).exp() for zi in z]).log()
    return [zi - m - log_total for zi in z]


def softmax(values: Sequence[Value | float]) -> list[Value]:
    """softmax_i = e^(z_i - m) / Σ_j e^(z_j - m), m = max_j z_j: positive, sums to 1, stable
    for large logits. d softmax_i / dz_j = softmax_i ([i = j] - softmax_j)."""
    z = _values(values, "softmax")
    m = max(zi.data for zi in z)
    exps = [(zi - m).exp() for zi in z]
    total = autograd.sum(exps)
    return [e / total for e in exps]


def cross_entropy(logits: Sequence[Value | float], target_index: int) -> Value:
    """C = -ln softmax(z)_t = ln Σ_j e^(z_j - m) + m - z_t (m = max z, for stability);
    dC/dz_j = softmax(z)_j - [j = t]. For the MNIST "2": t = 2 pulls z_2 up, the others down.
    """
    z = _values(logits, "cross_entropy")
    t = target_index
    if isinstance(t, bool) or not isinstance(t, numbers.Integral):
        raise TypeError(f"cross_entropy: target_index must be an int, got {t!r:.40}")
    if not 0 <= t < len(z):
        raise ValueError(
            f"cross_entropy: target_index {t} is out of range for {len(z)} logits "
            f"(0 to {len(z) - 1})"
        )
    m = max(zi.data for zi in z)
    log_total = autograd.sum([(zi - m).exp() for zi in z]).log()
    return log_total + m - z[int(t)]


def hinge_loss(scores: Predictions, labels: Targets) -> Value:
    """C = (1/n) Σ max(0, 1 - y_i s_i) for labels y_i in {-1, +1};
    dC/ds_i = -y_i / n where y_i s_i < 1, else 0 (a margin of 1 costs nothing)."""
    s = _values(scores, "hinge_loss")
    y = _targets(labels, len(s), "hinge_loss")
    for i, yi in enumerate(y):
        if yi not in (-1.0, 1.0):
            raise ValueError(f"hinge_loss: label {i} must be -1 or +1, got {yi:g}")
    return autograd.sum([(1.0 - yi * si).relu() for si, yi in zip(s, y, strict=True)]) / len(s)
