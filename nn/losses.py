"""Losses (a cost C that says how wrong the network is) and softmax, each one Value.

Every docstring gives C and dC/d(prediction); the tests check both against these formulas.
``a`` is a prediction, ``y`` its target, ``n`` the number of predictions.

Each loss is written once, with ops only (no branch on a number), so the same function serves
eager training, where the targets are numbers, and ``fit(compiled=True)``, where
``autograd.compile`` traces it with the targets as input columns (Values). :data:`LOSSES` is
the one registry of the losses ``fit`` knows by name: the names of the functions.

Which labels a loss accepts is data on the loss: its ``labels`` (a :class:`Labels`), read by
the loss itself for each target and by ``fit`` and ``evaluate`` for the whole label array
before the first step (:func:`nn.train.check_labels`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import autograd
from autograd import Constant, Value

Predictions = Value | float | Sequence[Value | float]
Targets = Value | float | Sequence[Value | float]
Loss = TypeVar("Loss", bound=Callable[..., Value])


@dataclass(frozen=True)
class Labels:
    """Which labels (target numbers) a loss accepts, and how to say it.

    A number must be finite and lie in [``low``, ``high``]; or be one of ``only`` (hinge: -1,
    +1); or, with ``classes``, be a class index: a whole number from 0 to the number of
    outputs - 1. With ``per_output`` a label is one number per output (mse: any shape).
    ``convert`` pairs labels another loss uses with the expression that turns them into
    these, for the error's hint. ``name`` is what the loss calls one of them in its errors.
    """

    low: float = -math.inf
    high: float = math.inf
    only: tuple[float, ...] = ()
    classes: bool = False
    per_output: bool = False
    convert: tuple[tuple[tuple[float, ...], str], ...] = ()
    name: str = "target"

    def accepts(self, y: float, outputs: int | None = None) -> bool:
        """Whether ``y`` is such a label (a class index also below ``outputs``, when given)."""
        if self.only:
            return y in self.only
        if self.classes:
            return y == math.floor(y) and 0 <= y and (outputs is None or y < outputs)
        return self.low <= y <= self.high and math.isfinite(y)

    def outside(self, found: Any, outputs: int | None = None) -> Any:
        """The numbers of the array ``found`` that are not such labels."""
        return found[[not self.accepts(y, outputs) for y in found.tolist()]]

    def describe(self, join: str = "and", outputs: int | None = None) -> str:
        """The labels in words: "in [0, 1]", "-1 and +1", "0 to 2", ">= 0"."""
        if self.only:
            return f" {join} ".join(_shown(self.only))
        if self.classes:
            return "class indices 0, 1, ..." if outputs is None else f"0 to {outputs - 1}"
        if self.high == math.inf:
            return "a finite number" if self.low == -math.inf else f">= {self.low:g}"
        return f"in [{self.low:g}, {self.high:g}]"

    def hint(self, found: Any) -> str:
        """How to convert ``found`` when they are another loss's labels ("" if not)."""
        for theirs, expression in self.convert:
            if set(found.tolist()) <= set(theirs):
                return f"; for labels {' and '.join(_shown(theirs))} pass {expression}"
        return ""

    @property
    def middle(self) -> float:
        """The number between the two classes of two-class labels (0.5 for [0, 1], 0 for ±1)."""
        low, high = (self.only[0], self.only[-1]) if self.only else (self.low, self.high)
        return (low + high) / 2


def _shown(values: Sequence[float]) -> list[str]:
    signed = min(values) < 0
    return [f"{v:+g}" if signed and v > 0 else f"{v:g}" for v in values]


def accepts(labels: Labels) -> Callable[[Loss], Loss]:
    """Attach ``labels`` to a loss function as its ``labels`` attribute."""

    def attach(function: Loss) -> Loss:
        function.labels = labels  # type: ignore[attr-defined]
        return function

    return attach


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


def _targets(ys: Targets, n: int, who: str, labels: Labels) -> list[Value]:
    """Targets as Constants named "y" (or "y0", "y1", ... for several), so drawings of a loss
    show where the target enters, each checked against ``labels``; Values pass as they are
    (what ``compile`` feeds: their numbers are unknown while tracing; ``fit`` checks the
    labels before)."""
    items = [ys] if isinstance(ys, (Value, numbers.Real)) else list(ys)
    if len(items) != n:
        raise ValueError(f"{who}: {n} prediction(s) but {len(items)} target(s)")
    out: list[Value | float] = []
    for i, y in enumerate(items):
        if isinstance(y, Value):
            out.append(y)
            continue
        if isinstance(y, bool) or not isinstance(y, numbers.Real):
            raise TypeError(f"{who}: target {i} must be a number, got {y!r:.40}")
        if not labels.accepts(float(y)):
            raise ValueError(
                f"{who}: {labels.name} {i} must be {labels.describe('or')}, got {float(y):g}"
            )
        out.append(Constant(float(y), "y" if n == 1 else f"y{i}"))
    return out


# What each loss accepts (the functions carry them as ``labels``).
ANY_NUMBERS = Labels(per_output=True)
PROBABILITIES = Labels(0.0, 1.0, convert=(((-1.0, 1.0), "(y + 1) / 2"),))
SIGNS = Labels(only=(-1.0, 1.0), convert=(((0.0, 1.0), "2 * y - 1"),), name="label")
CLASS_INDICES = Labels(classes=True)
CLASS_WEIGHTS = Labels(low=0.0, name="weight")  # cross_entropy's other target: q_j >= 0


@accepts(ANY_NUMBERS)
def mse_loss(preds: Predictions, targets: Targets) -> Value:
    """Mean squared error: C = (1/n) Σ (a_i - y_i)^2;  dC/da_i = 2 (a_i - y_i) / n."""
    a = _values(preds, "mse_loss")
    y = _targets(targets, len(a), "mse_loss", mse_loss.labels)
    return autograd.sum([(ai - yi) ** 2 for ai, yi in zip(a, y, strict=True)]) / len(a)


@accepts(PROBABILITIES)
def binary_cross_entropy(probs: Predictions, targets: Targets) -> Value:
    """C = -(1/n) Σ [y_i ln p_i + (1 - y_i) ln(1 - p_i)] for probabilities p_i in [0, 1];
    dC/dp_i = (p_i - y_i) / (p_i (1 - p_i) n).

    Each term is a ``scaled_log`` row (c ln x, 0 when c = 0), so a term of weight 0 adds
    nothing: p = 1 with y = 1 gives 0, on the eager and the compiled path alike; p = 1 with
    y < 1 (or p = 0 with y > 0) would be ln 0 = -inf and raises ValueError. A sigmoid rounds to
    exactly 1.0 for inputs above ~37: then use :func:`binary_cross_entropy_with_logits` on the
    sigmoid's input instead.
    """
    p = _values(probs, "binary_cross_entropy")
    y = _targets(targets, len(p), "binary_cross_entropy", binary_cross_entropy.labels)
    terms = [
        autograd.scaled_log(pi, yi) + autograd.scaled_log(1.0 - pi, _one_minus(yi))
        for pi, yi in zip(p, y, strict=True)
    ]
    return -autograd.sum(terms) / len(p)


def _one_minus(y: Value) -> Value:
    """1 - y: a Constant named "1 - y" for a target number, a node for a traced Value."""
    if type(y) is Constant:
        return Constant(1.0 - y.data, f"1 - {y.label}")
    return 1.0 - y


@accepts(PROBABILITIES)
def binary_cross_entropy_with_logits(logits: Predictions, targets: Targets) -> Value:
    """Binary cross-entropy of p = σ(z), computed from the logit z without forming p:
    C = (1/n) Σ [softplus(z_i) - y_i z_i]  (since -ln σ(z) = softplus(-z));
    dC/dz_i = (σ(z_i) - y_i) / n. Finite for any z.
    """
    z = _values(logits, "binary_cross_entropy_with_logits")
    who = "binary_cross_entropy_with_logits"
    y = _targets(targets, len(z), who, binary_cross_entropy_with_logits.labels)
    return autograd.sum([zi.softplus() - yi * zi for zi, yi in zip(z, y, strict=True)]) / len(z)


def log_softmax(logits: Sequence[Value | float]) -> list[Value]:
    """log softmax_i = z_i - ln Σ_j e^(z_j), the log-sum-exp one stable row (finite for any
    logits); d/dz_j = [i = j] - softmax_j."""
    z = _values(logits, "log_softmax")
    log_total = autograd.logsumexp(z)
    return [zi - log_total for zi in z]


def softmax(values: Sequence[Value | float]) -> list[Value]:
    """softmax_i = e^(z_i - ln Σ_j e^z_j): positive, sums to 1, stable for large logits (no
    exponent is positive). d softmax_i / dz_j = softmax_i ([i = j] - softmax_j)."""
    return [v.exp() for v in log_softmax(values)]


@accepts(CLASS_INDICES)
def cross_entropy(logits: Sequence[Value | float], target: int | Sequence[Value | float]) -> Value:
    """C = -ln softmax(z)_t = ln Σ_j e^(z_j) - z_t (the log-sum-exp row: stable for any logits);
    dC/dz_j = softmax(z)_j - [j = t]. For the MNIST "2": t = 2 pulls z_2 up, the others down.

    ``target`` is the class index t, or one weight per class q_j (class probabilities, or the
    one-hot columns ``fit(compiled=True)`` feeds): C = ln Σ_j e^(z_j) - Σ_j q_j z_j.
    """
    z = _values(logits, "cross_entropy")
    t = target
    if isinstance(t, numbers.Integral) and not isinstance(t, bool):
        if not cross_entropy.labels.accepts(t, len(z)):
            raise ValueError(
                f"cross_entropy: target_index {t} is out of range for {len(z)} logits "
                f"({cross_entropy.labels.describe(outputs=len(z))})"
            )
        weights: list[Value | float] = [1.0 if j == t else 0.0 for j in range(len(z))]
    elif isinstance(t, (str, bytes)) or not isinstance(t, Sequence):
        raise TypeError(
            f"cross_entropy: target_index must be an int (or one weight per class), got {t!r:.40}"
        )
    else:
        weights = _targets(t, len(z), "cross_entropy", CLASS_WEIGHTS)
    return autograd.logsumexp(z) - autograd.dot(weights, z)


@accepts(SIGNS)
def hinge_loss(scores: Predictions, labels: Targets) -> Value:
    """C = (1/n) Σ max(0, 1 - y_i s_i) for labels y_i in {-1, +1};
    dC/ds_i = -y_i / n where y_i s_i < 1, else 0 (a margin of 1 costs nothing)."""
    s = _values(scores, "hinge_loss")
    y = _targets(labels, len(s), "hinge_loss", hinge_loss.labels)
    return autograd.sum([(1.0 - yi * si).relu() for si, yi in zip(s, y, strict=True)]) / len(s)


# ---------------------------------------------------------------------------------------------
# The registry: the losses fit knows by name.

Output = Value | list[Value]


@dataclass(frozen=True)
class NamedLoss:
    """A loss ``fit`` knows by name (the function's name), with what training needs around it.

    ``function`` is the loss above. ``of_sample(out, label)`` is one sample's loss with its
    label (eager training); ``of_columns(outputs, columns)`` the same function with the label
    encoded as Values (the columns of :meth:`columns`, fed to ``autograd.compile``).
    ``correct(outputs, labels)`` says, from an array of outputs (samples, outputs), which
    samples are classified right (None: no accuracy for this loss). ``threshold`` is, for one
    output, the value where the predicted class changes (0.5 for a probability, 0 for a logit
    or a score): the decision boundary a live view draws. :attr:`labels` is the function's
    own: which labels it accepts, and so how one becomes target columns.
    """

    name: str
    function: Callable[..., Value]
    one_output: bool
    correct: Callable[[Any, Any], Any] | None
    threshold: float = 0.0

    @property
    def labels(self) -> Labels:
        return self.function.labels  # type: ignore[attr-defined]

    def of_sample(self, out: Output, label: Any) -> Value:
        if self.labels.classes:
            return self.function(_logits(out), int(label))
        if self.labels.per_output:
            return self.function(out, [float(v) for v in _as_list(label)])
        return self.function(_scalar(out, self.name), float(label))

    def width(self, n_outputs: int) -> int:
        """How many target columns one sample's label becomes."""
        return 1 if self.one_output else n_outputs

    def columns(self, labels: Any, n_outputs: int) -> Any:
        """The labels (checked before) as target columns, shape (samples, width): a class
        index becomes its one-hot row."""
        import numpy as np

        if self.labels.classes:
            return np.eye(n_outputs)[np.asarray(labels).astype(np.intp)]
        return np.asarray(labels, dtype=np.float64).reshape(len(labels), -1)

    def of_columns(self, outputs: list[Value], columns: list[Value]) -> Value:
        if self.one_output:
            return self.function(_scalar(outputs, self.name), columns[0])
        return self.function(outputs, columns)


def _as_list(x: Any) -> list:
    import numpy as np

    return np.asarray(x, dtype=float).reshape(-1).tolist()


def _scalar(out: Output, who: str) -> Value:
    if isinstance(out, list):
        if len(out) == 1:
            return out[0]
        raise ValueError(f"loss {who!r} needs a model with one output, got {len(out)} outputs")
    return out


# Said by the loss on one sample and by fit's check of the labels.
ONE_OUTPUT_PER_CLASS = (
    "loss 'cross_entropy' needs a model with one output per class (2 or more); for one output "
    "pass loss='bce_logits' (labels 0 and 1) or loss='hinge' (labels -1 and +1)"
)


def _logits(out: Output) -> list[Value]:
    if not isinstance(out, list):
        raise ValueError(ONE_OUTPUT_PER_CLASS)
    return out


def _argmax_is(outputs: Any, labels: Any) -> Any:
    return outputs.argmax(axis=1) == labels.astype(int)


def _by_threshold(function: Callable[..., Value], at: float) -> NamedLoss:
    """A one-output loss whose class changes where the output crosses ``at`` (and the label
    the middle of its two classes): its accuracy rule and its live view's boundary read the
    same ``at``."""
    label_at = function.labels.middle  # type: ignore[attr-defined]

    def correct(outputs: Any, labels: Any) -> Any:
        return (outputs[:, 0] > at) == (labels.astype(float) > label_at)

    return NamedLoss(function.__name__, function, True, correct, at)


LOSSES: dict[str, NamedLoss] = {
    loss.name: loss
    for loss in (
        NamedLoss("cross_entropy", cross_entropy, False, _argmax_is),
        _by_threshold(binary_cross_entropy, 0.5),
        _by_threshold(binary_cross_entropy_with_logits, 0.0),
        _by_threshold(hinge_loss, 0.0),
        NamedLoss("mse_loss", mse_loss, False, None),
    )
}
# The short names fit has always accepted.
ALIASES = {
    "bce": "binary_cross_entropy",
    "bce_logits": "binary_cross_entropy_with_logits",
    "hinge": "hinge_loss",
    "mse": "mse_loss",
}


def named_loss(name: str) -> NamedLoss:
    """The registry's entry for ``name`` (a function's name, or a short name such as "bce")."""
    key = ALIASES.get(name, name) if isinstance(name, str) else name
    if key not in LOSSES:
        names = ", ".join([*LOSSES, *ALIASES])
        raise ValueError(f"unknown loss {name!r}; choose one of {names} or a function")
    return LOSSES[key]
