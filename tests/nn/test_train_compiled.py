"""fit(compiled=True): the batched executor gives the same training as the eager steps."""

from __future__ import annotations

import pytest

import nn
from nn import MLP, Adam
from nn.data import make_blobs, make_moons


def _train(compiled, loss, X, y, nouts, output="linear"):
    model = MLP(X.shape[1], nouts, output_activation=output, seed=0)
    history = nn.fit(model, X, y, loss=loss, optimizer=Adam(model.parameters(), lr=0.02),
                     epochs=3, batch_size=16, progress=False, compiled=compiled)  # fmt: skip
    return model, history


@pytest.mark.parametrize(
    ("loss", "nouts", "output", "targets"),
    [
        ("bce_logits", [6, 1], "linear", lambda y: y),
        ("bce", [6, 1], "sigmoid", lambda y: y),
        ("hinge", [6, 1], "linear", lambda y: 2 * y - 1),
        ("mse", [6, 1], "linear", lambda y: y.astype(float)),
    ],
)
def test_compiled_training_equals_eager(loss, nouts, output, targets):
    X, y = make_moons(64, noise=0.1, seed=0)
    eager, eager_history = _train(False, loss, X, targets(y), nouts, output)
    fast, fast_history = _train(True, loss, X, targets(y), nouts, output)
    assert [p.data for p in fast.parameters()] == pytest.approx(
        [p.data for p in eager.parameters()], rel=1e-8, abs=1e-10
    )
    assert fast_history.step_loss == pytest.approx(eager_history.step_loss, rel=1e-8)
    assert fast_history.accuracy == pytest.approx(eager_history.accuracy, nan_ok=True)


def test_compiled_cross_entropy_equals_eager():
    X, y = make_blobs(48, centers=3, seed=0)
    eager, eager_history = _train(False, "cross_entropy", X, y, [6, 3])
    fast, fast_history = _train(True, "cross_entropy", X, y, [6, 3])
    assert [p.data for p in fast.parameters()] == pytest.approx(
        [p.data for p in eager.parameters()], rel=1e-8, abs=1e-10
    )
    assert fast_history.accuracy == pytest.approx(eager_history.accuracy)


def test_a_loss_function_trains_eagerly_with_a_warning():
    X, y = make_moons(32, seed=0)
    model = MLP(2, [3, 1], seed=0)
    with pytest.warns(UserWarning, match="compiled=True works with the named losses"):
        nn.fit(model, X, y, loss=lambda out, t: nn.mse_loss(out, float(t)), epochs=1,
               progress=False, compiled=True)  # fmt: skip
