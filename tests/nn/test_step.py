"""The Step protocol: one home for the weights, one compile per fit, hooks around the steps."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import autograd
import nn
from nn.compiled import CompiledStep
from nn.data import make_moons
from nn.live import LiveView
from nn.step import EagerStep, Step
from nn.train import fit


def _counting_compile(monkeypatch):
    calls = []
    real = autograd.compile

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(autograd, "compile", counted)
    return calls


@pytest.mark.parametrize(("compiled", "compiles"), [(True, 1), (False, 0)])
def test_the_live_view_reuses_fits_program(monkeypatch, compiled, compiles):
    """The boundary is drawn from the training step's program: a compiled fit with a live view
    compiles the model once, an eager one never (before, the view compiled its own)."""
    calls = _counting_compile(monkeypatch)
    X, y = make_moons(60, noise=0.1, seed=0)
    model = nn.MLP(2, [6, 1], seed=0)
    view = LiveView(every=0.0, budget=1.0, show=lambda svg, network: None)
    fit(model, X, y, loss="bce_logits", epochs=3, batch_size=20, progress=False,
        compiled=compiled, live=view)  # fmt: skip
    assert view.refreshes >= 2
    assert len(calls) == compiles
    scores, _, _ = view._grid()
    assert 0.0 < (scores < 0).mean() < 1.0


def test_the_compiled_steps_boundary_equals_the_values_forward():
    X, y = make_moons(40, noise=0.1, seed=0)
    for loss, output in (("bce_logits", "linear"), ("bce", "sigmoid"), ("hinge", "linear")):
        model = nn.MLP(2, [5, 1], output_activation=output, seed=0)
        labels = 2 * y - 1 if loss == "hinge" else y
        optimizer = nn.SGD(model.parameters(), lr=0.1)
        step = CompiledStep(model, nn.losses.named_loss(loss), optimizer, X, labels)
        step.run(step.table(X, labels)[:8], labels[:8])
        grid = np.random.default_rng(0).uniform(-3, 3, (50, 2))
        step.to_values()
        np.testing.assert_allclose(step.predict(grid)[:, 0], nn.predict(model, grid), rtol=1e-12)


def test_a_saturated_probability_falls_back_to_the_values():
    """bce's loss is ln 0 at p = 1 with a zero target: predict still answers, from the Values."""
    model = nn.MLP(2, [1], output_activation="sigmoid", seed=0)
    for p in model.parameters():
        p.data = 40.0
    X, y = np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([1, 0])
    step = CompiledStep(model, nn.losses.named_loss("bce"), nn.SGD(model.parameters(), 0.1),
                        X[1:], y[1:])  # fmt: skip
    np.testing.assert_allclose(step.predict(X)[:, 0], nn.predict(model, X))
    assert step.predict(X)[0, 0] == 1.0


def test_both_steps_declare_the_protocol():
    X, y = make_moons(16, seed=0)
    model = nn.MLP(2, [3, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    eager = EagerStep(model, nn.losses.named_loss("bce_logits").of_sample, None, optimizer)
    compiled = CompiledStep(model, nn.losses.named_loss("bce_logits"), optimizer, X, y)
    for step in (eager, compiled):
        assert isinstance(step, Step)
        assert step.predict(X).shape == (16, 1)
    assert not hasattr(compiled, "outputs")  # the dead hook is gone


def test_fit_is_an_epoch_and_batch_loop_of_about_60_lines():
    lines = inspect.getsource(fit).split('"""')[-1].strip().splitlines()
    assert len(lines) <= 80, len(lines)
