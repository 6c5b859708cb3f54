"""Issue 21.2: which labels a loss accepts is data on the loss (its ``labels``), read by the
loss itself and by fit's check before training; edited in one place, both follow."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nn
from nn import losses
from nn.data import make_moons
from nn.losses import LOSSES, Labels


def test_every_named_loss_reads_its_functions_labels():
    for named in LOSSES.values():
        assert isinstance(named.function.labels, Labels)
        assert named.labels is named.function.labels
    assert losses.hinge_loss.labels.only == (-1.0, 1.0)
    assert losses.binary_cross_entropy.labels.describe() == "in [0, 1]"
    assert losses.cross_entropy.labels.describe(outputs=3) == "0 to 2"


def test_the_loss_and_fit_say_it_in_the_same_words():
    with pytest.raises(ValueError, match=re.escape("hinge_loss: label 1 must be -1 or +1, got 0")):
        losses.hinge_loss([1.0, 2.0], [1, 0])
    X, y = make_moons(16, noise=0.1, seed=0)
    with pytest.raises(ValueError, match=re.escape("loss 'hinge' needs labels -1 and +1")):
        nn.fit(nn.MLP(2, [3, 1], seed=0), X, y, loss="hinge", epochs=1, progress=False)


@pytest.mark.parametrize("compiled", [False, True])
def test_labels_edited_on_the_loss_change_the_loss_and_fit(monkeypatch, compiled):
    """hinge on labels 0 and 1 (not a sensible loss, but one edit): the function and fit's
    check both take the new rule, and refuse what it refuses."""
    monkeypatch.setattr(losses.hinge_loss, "labels", Labels(only=(0.0, 1.0), name="label"))
    assert losses.hinge_loss([1.0, 2.0], [1, 0]).data == pytest.approx(0.5)
    with pytest.raises(ValueError, match=re.escape("label 0 must be 0 or 1, got -1")):
        losses.hinge_loss([1.0], [-1])
    X, y = make_moons(16, noise=0.1, seed=0)
    model = nn.MLP(2, [3, 1], seed=0)
    history = nn.fit(model, X, y, loss="hinge", epochs=1, progress=False, compiled=compiled)
    assert history.epochs == 1
    with pytest.raises(ValueError, match=re.escape("needs labels 0 and 1; the labels include -1")):
        nn.fit(model, X, 2 * y - 1, loss="hinge", epochs=1, progress=False, compiled=compiled)


def test_an_interval_edited_on_the_loss_changes_both(monkeypatch):
    monkeypatch.setattr(losses.binary_cross_entropy_with_logits, "labels", Labels(0.0, 0.5))
    with pytest.raises(ValueError, match=re.escape("target 0 must be in [0, 0.5], got 1")):
        losses.binary_cross_entropy_with_logits([0.0], [1.0])
    X, y = make_moons(16, noise=0.1, seed=0)
    with pytest.raises(
        ValueError, match=re.escape("needs labels in [0, 0.5]; the labels include 1")
    ):
        nn.fit(nn.MLP(2, [3, 1], seed=0), X, y, loss="bce_logits", epochs=1, progress=False)
    nn.fit(nn.MLP(2, [3, 1], seed=0), X, y / 2, loss="bce_logits", epochs=1, progress=False)


def test_labels_in_words_and_numbers():
    signs = losses.SIGNS
    assert signs.accepts(1.0) and not signs.accepts(0.0) and signs.middle == 0.0
    assert signs.hint(np.array([0.0, 1.0])) == "; for labels 0 and 1 pass 2 * y - 1"
    assert signs.hint(np.array([0.0, 2.0])) == ""
    assert losses.PROBABILITIES.middle == 0.5
    classes = losses.CLASS_INDICES
    assert classes.accepts(2, 3) and not classes.accepts(3, 3) and not classes.accepts(1.5)
    assert classes.outside(np.array([0.0, 1.0, 7.0, -1.0]), 3).tolist() == [7.0, -1.0]
    assert losses.ANY_NUMBERS.describe() == "a finite number"
    with pytest.raises(ValueError, match=re.escape("target 0 must be a finite number, got inf")):
        losses.mse_loss([1.0], [float("inf")])
    assert losses.CLASS_WEIGHTS.describe("or") == ">= 0"
