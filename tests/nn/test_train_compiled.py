"""fit(compiled=True): the batched executor gives the same training as the eager steps."""

from __future__ import annotations

import numpy as np
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


# -- the same numbers as eager training, to 1e-12 ---------------------------------------------


def _twin_runs(loss, X, y, nouts, optimizer, output="linear", **options):
    """The same model trained eagerly and compiled; both models and histories."""
    runs = []
    for compiled in (False, True):
        model = MLP(X.shape[1], nouts, activation="tanh", output_activation=output, seed=1)
        history = nn.fit(model, X, y, loss=loss, optimizer=optimizer(model.parameters()),
                         epochs=2, batch_size=8, progress=False, compiled=compiled,
                         **options)  # fmt: skip
        runs.append((model, history))
    return runs


OPTIMIZERS = {
    "sgd_momentum": lambda params: nn.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-3),
    "adam": lambda params: Adam(params, lr=0.02, weight_decay=1e-3),
}


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize(
    ("loss", "nouts", "output", "data"),
    [
        ("cross_entropy", [5, 3], "linear", lambda: make_blobs(40, centers=3, seed=2)),
        ("bce_logits", [4, 1], "linear", lambda: make_moons(40, noise=0.1, seed=2)),
        ("binary_cross_entropy", [4, 1], "sigmoid", lambda: make_moons(40, noise=0.1, seed=3)),
    ],
)
def test_parameters_after_compiled_training_equal_eager_to_1e_12(
    optimizer, loss, nouts, output, data
):
    X, y = data()
    (eager, eager_history), (fast, fast_history) = _twin_runs(
        loss, X, y, nouts, OPTIMIZERS[optimizer], output
    )
    np.testing.assert_allclose(
        [p.data for p in fast.parameters()], [p.data for p in eager.parameters()],
        rtol=0, atol=1e-12,
    )  # fmt: skip
    np.testing.assert_allclose(
        [p.grad for p in fast.parameters()], [p.grad for p in eager.parameters()],
        rtol=0, atol=1e-12,
    )  # fmt: skip
    np.testing.assert_allclose(fast_history.step_loss, eager_history.step_loss, rtol=1e-12)
    assert fast_history.accuracy == eager_history.accuracy


def test_the_twin_check_can_fail():
    """A different learning rate on one side is seen at once (the test above is not vacuous)."""
    X, y = make_blobs(40, centers=3, seed=2)
    runs = []
    for compiled, lr in ((False, 0.02), (True, 0.0200001)):
        model = MLP(2, [5, 3], seed=1)
        nn.fit(model, X, y, optimizer=Adam(model.parameters(), lr=lr), epochs=1, batch_size=8,
               progress=False, compiled=compiled)  # fmt: skip
        runs.append([p.data for p in model.parameters()])
    assert np.max(np.abs(np.subtract(*runs))) > 1e-12


def _saturated(model, bias):
    for neuron in model.layers[-1].neurons:
        neuron.b.data = bias
    return model


def test_logits_near_710_compile_and_train_like_eager():
    """exp(710) overflows a float: the loss's log-sum-exp row never forms it, on either path."""
    X, y = make_blobs(24, centers=3, seed=0)
    params = []
    for compiled in (False, True):
        model = _saturated(MLP(2, [4, 3], seed=0), 0.0)
        model.layers[-1].neurons[0].b.data = 710.0
        model.layers[-1].neurons[1].b.data = 709.0
        history = nn.fit(model, X, y, optimizer=nn.SGD(model.parameters(), lr=0.01), epochs=1,
                         batch_size=8, progress=False, compiled=compiled)  # fmt: skip
        assert all(np.isfinite(history.step_loss)) and history.step_loss[0] > 100
        params.append([p.data for p in model.parameters()])
    np.testing.assert_allclose(params[1], params[0], rtol=1e-12, atol=1e-12)


def test_bce_at_probability_one_with_label_one_is_zero_on_both_paths():
    X, y = np.ones((8, 1)), np.ones(8)
    results = []
    for compiled in (False, True):
        model = _saturated(MLP(1, [1], output_activation="sigmoid", seed=0), 40.0)
        assert model([1.0]).data == 1.0  # σ rounds to exactly 1
        history = nn.fit(model, X, y, loss="bce", optimizer=nn.SGD(model.parameters(), lr=0.1),
                         epochs=1, batch_size=4, progress=False, compiled=compiled)  # fmt: skip
        results.append((history.step_loss, [p.data for p in model.parameters()]))
    assert results[0] == results[1]
    assert all(loss == 0.0 for loss in results[1][0])


@pytest.mark.parametrize(
    ("loss", "nouts", "labels"),
    [
        ("cross_entropy", [3, 7], [0, -1, 2]),
        ("cross_entropy", [3, 7], [0, 7, 2]),
        ("cross_entropy", [3, 7], [0, 1.5, 2]),
        ("bce", [3, 1], [0, 2, 1]),
        ("bce_logits", [3, 1], [0, 2, 1]),
        ("hinge", [3, 1], [1, 0, -1]),
    ],
)
def test_labels_are_refused_the_same_way_on_both_paths(loss, nouts, labels):
    X = np.zeros((3, 2))
    messages = []
    for compiled in (False, True):
        model = MLP(2, nouts, seed=0)
        with pytest.raises(ValueError) as error:
            nn.fit(model, X, np.array(labels), loss=loss, epochs=1, progress=False,
                   compiled=compiled)  # fmt: skip
        messages.append(str(error.value))
    assert messages[0] == messages[1]
    assert "label" in messages[0]


def test_numpy_integers_are_accepted():
    X, y = make_moons(32, seed=0)
    model = MLP(2, [3, 1], seed=0)
    history = nn.fit(model, X, y, loss="bce_logits", batch_size=np.int64(16), epochs=np.int64(2),
                     progress=False, compiled=True)  # fmt: skip
    assert len(history.step_loss) == 4


def test_callbacks_read_and_change_the_current_weights():
    """While compiled fit runs, the weights live in an array: a callback still sees the Values
    of the step just done, and what it writes into them is trained on."""
    X, y = make_moons(32, noise=0.1, seed=0)
    seen = {}
    for compiled in (False, True):
        model = MLP(2, [3, 1], seed=0)
        first = model.parameters()[0]
        trace = seen.setdefault(compiled, [])

        def clip(info, first=first, trace=trace):
            trace.append(first.data)
            first.data = max(-0.05, min(0.05, first.data))

        nn.fit(model, X, y, loss="bce_logits", optimizer=nn.SGD(model.parameters(), lr=0.5),
               epochs=2, batch_size=8, progress=False, compiled=compiled,
               callbacks=[clip])  # fmt: skip
    np.testing.assert_allclose(seen[True], seen[False], rtol=1e-12, atol=1e-12)
    assert max(abs(x) for x in seen[True]) > 0.05  # the clip mattered


def test_values_hold_the_last_weights_when_fit_stops_on_an_error():
    X, y = make_moons(32, noise=0.1, seed=0)
    model = MLP(2, [3, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.5)
    calls = []

    def stop_after_two(info):
        calls.append([p.data for p in model.parameters()])
        if len(calls) == 2:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        nn.fit(model, X, y, loss="bce_logits", optimizer=optimizer, epochs=1, batch_size=8,
               progress=False, compiled=True, callbacks=[stop_after_two])  # fmt: skip
    assert [p.data for p in model.parameters()] == calls[-1]


def test_resuming_compiled_training_continues_from_the_checkpoint(tmp_path):
    X, y = make_moons(32, noise=0.1, seed=0)
    path = tmp_path / "run.json"
    runs = []
    for stops in ((2,), (1, 2)):
        model = MLP(2, [3, 1], seed=0)
        optimizer = Adam(model.parameters(), lr=0.05)
        if path.exists():
            path.unlink()
        for epochs in stops:
            nn.fit(model, X, y, loss="bce_logits", optimizer=optimizer, epochs=epochs,
                   batch_size=8, progress=False, compiled=True, checkpoint=path,
                   resume=True)  # fmt: skip
            if epochs != stops[-1]:  # a new process: a fresh model and optimizer
                model = MLP(2, [3, 1], seed=5)
                optimizer = Adam(model.parameters(), lr=0.05)
        runs.append([p.data for p in model.parameters()])
    np.testing.assert_allclose(runs[1], runs[0], rtol=0, atol=1e-12)


class _PlainSGD(nn.optim.Optimizer):
    """An optimizer of the user's, written on Values (no vector ``update``)."""

    def step(self):
        for p in self.params:
            p.data -= self.lr * p.grad


def test_an_optimizer_written_on_values_trains_the_same_compiled():
    X, y = make_blobs(40, centers=3, seed=2)
    (eager, _), (fast, _) = _twin_runs(
        "cross_entropy", X, y, [5, 3], lambda params: _PlainSGD(params, lr=0.1)
    )
    np.testing.assert_allclose(
        [p.data for p in fast.parameters()], [p.data for p in eager.parameters()],
        rtol=0, atol=1e-12,
    )  # fmt: skip
