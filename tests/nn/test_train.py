"""nn.fit and nn.evaluate: learning, history, interruption, checkpoints and resuming."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import threading

import numpy as np
import pytest

import nn
from nn import MLP, SGD, Adam
from nn.data import make_blobs, make_moons


@pytest.fixture(scope="module")
def moons():
    return make_moons(80, noise=0.1, seed=0)


def small_fit(model, X, y, **options):
    options.setdefault("optimizer", Adam(model.parameters(), lr=0.03))
    options.setdefault("progress", False)
    return nn.fit(model, X, y, loss="bce_logits", epochs=options.pop("epochs", 4),
                  batch_size=16, **options)  # fmt: skip


def test_fit_learns_moons_and_reports_history(moons):
    X, y = moons
    model = MLP(2, [8, 8, 1], seed=0)
    before = nn.evaluate(model, X, y, loss="bce_logits")
    history = small_fit(model, X, y, epochs=25)
    after = nn.evaluate(model, X, y, loss="bce_logits")
    assert history.epochs == 25 and len(history.accuracy) == 25
    assert len(history.step_loss) == 25 * 5 and not history.interrupted
    assert after["loss"] < before["loss"] / 3 and after["accuracy"] >= 0.85
    assert history.loss[-1] < history.loss[0]


def test_each_loss_name_trains(moons):
    X, y = moons
    for loss, targets, output in [
        ("hinge", 2 * y - 1, "linear"),
        ("bce", y, "sigmoid"),
        ("mse", y.astype(float), "linear"),
    ]:
        model = MLP(2, [6, 1], output_activation=output, seed=1)
        history = nn.fit(model, X, targets, loss=loss, epochs=3, batch_size=20, progress=False)
        assert history.loss[-1] < history.loss[0], loss
    assert math.isnan(history.accuracy[-1])  # mse has no accuracy rule


def test_cross_entropy_on_blobs_and_evaluate():
    X, y = make_blobs(60, centers=3, seed=0)
    model = MLP(2, [8, 3], seed=0)
    nn.fit(model, X, y, loss="cross_entropy", epochs=15, batch_size=10, progress=False)
    result = nn.evaluate(model, X, y)
    assert result["accuracy"] > 0.9 and result["loss"] < 0.5


def test_a_callable_loss_and_accuracy(moons):
    X, y = moons
    model = MLP(2, [4, 1], seed=0)
    calls = []

    def loss(out, target):
        calls.append(target)
        return nn.mse_loss(out, float(target))

    history = nn.fit(model, X[:20], y[:20], loss=loss, epochs=1, batch_size=10,
                     accuracy=lambda out, t: (out.data > 0.5) == t, progress=False)  # fmt: skip
    assert len(calls) == 20 and 0.0 <= history.accuracy[0] <= 1.0


def _weights(model):
    return [p.data for p in model.parameters()]


def test_interrupt_from_a_callback_keeps_the_last_completed_step(moons):
    X, y = moons
    model = MLP(2, [6, 1], seed=0)
    seen = []

    def stop_at_step_7(info):
        seen.append(_weights(info.model))
        if len(seen) == 7:
            raise KeyboardInterrupt

    history = small_fit(model, X, y, callbacks=[stop_at_step_7])
    assert history.interrupted and len(history.step_loss) == 7
    assert history.epochs == 1  # 5 steps per epoch: one full epoch, then 2 steps
    assert _weights(model) == seen[-1]  # the weights after step 7, untouched since


@pytest.fixture
def sigint_handler():
    """Run a test under a chosen SIGINT handler, whatever the runner was started with (``make
    test &`` and nohup start it ignoring SIGINT), and put the runner's own back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("only the main thread receives SIGINT")
    original = signal.getsignal(signal.SIGINT)
    yield lambda handler: signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGINT, original)


def _press_ctrl_c_at_step(n, steps):
    def press_ctrl_c(info):
        steps.append(info.batch)
        if len(steps) == n:
            os.kill(os.getpid(), signal.SIGINT)

    return press_ctrl_c


def _mine(signum, frame):
    raise AssertionError("fit should have handled this SIGINT itself")


@pytest.mark.parametrize("handler", [signal.default_int_handler, _mine])
def test_ctrl_c_stops_after_the_current_step(moons, sigint_handler, handler):
    X, y = moons
    sigint_handler(handler)
    steps = []
    history = small_fit(MLP(2, [6, 1], seed=0), X, y, callbacks=[_press_ctrl_c_at_step(3, steps)])
    assert history.interrupted and len(history.step_loss) == 3
    assert signal.getsignal(signal.SIGINT) is handler  # fit put back what it found


def test_ctrl_c_ignored_by_the_process_stays_ignored(moons, sigint_handler):
    X, y = moons
    sigint_handler(signal.SIG_IGN)
    steps = []
    history = small_fit(MLP(2, [6, 1], seed=0), X, y, callbacks=[_press_ctrl_c_at_step(3, steps)])
    assert not history.interrupted and len(history.step_loss) == len(steps) > 3
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_interrupt_inside_a_step_changes_no_weight(moons):
    X, y = moons
    model = MLP(2, [6, 1], seed=0)
    count = []

    def loss(out, target):
        count.append(1)
        if len(count) == 40:  # in the third batch of 16, before its backward and update
            raise KeyboardInterrupt
        return nn.binary_cross_entropy_with_logits(out, float(target))

    snapshots = []
    history = nn.fit(model, X, y, loss=loss, epochs=2, batch_size=16, progress=False,
                     callbacks=[lambda info: snapshots.append(_weights(model))])  # fmt: skip
    assert history.interrupted and len(history.step_loss) == 2
    assert _weights(model) == snapshots[-1]


def test_resume_from_checkpoint_equals_an_uninterrupted_run(moons, tmp_path):
    X, y = moons
    straight = MLP(2, [6, 1], seed=0)
    small_fit(straight, X, y, epochs=4)

    path = tmp_path / "run.json"
    model = MLP(2, [6, 1], seed=0)
    count = []

    def stop_at_step_8(info):
        count.append(1)
        if len(count) == 8:
            raise KeyboardInterrupt

    first = small_fit(model, X, y, epochs=4, checkpoint=path, callbacks=[stop_at_step_8])
    assert first.interrupted and path.exists()
    saved = json.loads(path.read_text())
    assert saved["position"]["epoch"] == 1 and saved["position"]["batch"] == 3

    resumed_model = MLP(2, [6, 1], seed=99)  # different weights: all must come from the file
    optimizer = Adam(resumed_model.parameters(), lr=0.03)
    history = small_fit(resumed_model, X, y, epochs=4, checkpoint=path, resume=True,
                        optimizer=optimizer)  # fmt: skip
    assert not history.interrupted and history.epochs == 4 and len(history.step_loss) == 20
    assert _weights(resumed_model) == _weights(straight)


def test_checkpoint_every_n_epochs(moons, tmp_path):
    X, y = moons
    path = tmp_path / "every.json"
    epochs_saved = []

    def look(info):
        if info.end_of_epoch and path.exists():
            epochs_saved.append(json.loads(path.read_text())["position"]["epoch"])

    small_fit(MLP(2, [4, 1], seed=0), X, y, epochs=5, checkpoint=path, checkpoint_every=2,
              callbacks=[look])  # fmt: skip
    # The file is written after each 2nd epoch; a callback sees the previous one.
    assert epochs_saved == [2, 2, 4]
    assert json.loads(path.read_text())["position"]["epoch"] == 5
    assert [f for f in os.listdir(tmp_path)] == ["every.json"]


def test_resume_refuses_a_different_model_or_settings(moons, tmp_path):
    X, y = moons
    path = tmp_path / "run.json"
    small_fit(MLP(2, [4, 1], seed=0), X, y, epochs=1, checkpoint=path)
    other = MLP(2, [5, 1], seed=0)
    before = _weights(other)
    with pytest.raises(ValueError, match=re.escape("the checkpoint is of MLP(2, [4, 1]")):
        small_fit(other, X, y, checkpoint=path, resume=True)
    assert _weights(other) == before
    same = MLP(2, [4, 1], seed=1)
    before = _weights(same)
    with pytest.raises(
        ValueError, match="checkpoint was made with batch_size=16, not batch_size=8"
    ):
        nn.fit(same, X, y, loss="bce_logits", batch_size=8, checkpoint=path, resume=True,
               progress=False)  # fmt: skip
    with pytest.raises(ValueError, match="the checkpoint's optimizer is Adam, not SGD"):
        small_fit(same, X, y, checkpoint=path, resume=True,
                  optimizer=SGD(same.parameters(), lr=0.1))  # fmt: skip
    assert _weights(same) == before
    path.write_text("{broken")
    with pytest.raises(ValueError, match="not valid JSON"):
        small_fit(same, X, y, checkpoint=path, resume=True)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"loss": "l1"}, ValueError, "unknown loss 'l1'; choose one of cross_entropy, binary"),
        ({"batch_size": 0}, ValueError, "fit: batch_size must be an int >= 1, got 0"),
        ({"epochs": -1}, ValueError, "fit: epochs must be an int >= 0, got -1"),
        ({"resume": True}, ValueError, "fit: resume=True needs checkpoint=path"),
        ({"checkpoint_every": 0}, ValueError, "checkpoint_every must be an int >= 1, got 0"),
        ({"loss": "bce_logits", "y": np.zeros(3)}, ValueError, "one label each; got X (80, 2)"),
        ({"loss": "cross_entropy"}, ValueError,
         "loss 'cross_entropy' needs a model with one output per class (2 or more)"),
        ({"loss": "hinge", "model": MLP(2, [2], seed=0)}, ValueError,
         "loss 'hinge' needs a model with one output, got 2"),
    ],
)  # fmt: skip
def test_fit_errors(moons, options, error, message):
    X, y = moons
    model = options.pop("model", MLP(2, [3, 1], seed=0))
    y = options.pop("y", y)
    options.setdefault("loss", "bce_logits")
    with pytest.raises(error, match=re.escape(message)):
        nn.fit(model, X, y, progress=False, **options)


def test_evaluate_and_predict_record_no_graph(moons):
    X, y = moons
    model = MLP(2, [3, 2], seed=0)
    outputs = nn.train.predict(model, X[:4])
    assert outputs.shape == (4, 2)
    assert all(p.grad == 0.0 for p in model.parameters())
    with pytest.raises(ValueError, match=re.escape("evaluate: X must be (samples, features)")):
        nn.evaluate(model, X[:0], y[:0])


def test_the_demo_recipe_reaches_97_percent_on_held_out_moons():
    X, y = make_moons(300, noise=0.1, seed=0)
    X_train, X_test, y_train, y_test = nn.data.train_test_split(X, y, test_fraction=0.25, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    optimizer = Adam(model.parameters(), lr=0.02)
    nn.fit(model, X_train, y_train, loss="bce_logits", optimizer=optimizer, epochs=50,
           batch_size=20, progress=False)  # fmt: skip
    assert nn.evaluate(model, X_test, y_test, loss="bce_logits")["accuracy"] >= 0.97


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.update(format="x"), "not a seegrad checkpoint"),
        (lambda c: c["position"].update(epoch="2"), "position 'epoch' must be a count, got '2'"),
        (lambda c: c["position"].update(loss_sum=None), "position 'loss_sum' must be a number"),
        (lambda c: c["history"].update(loss="x"), "history 'loss' must be a list of numbers"),
        (lambda c: c.pop("history"), "checkpoint lacks its history"),
        (lambda c: c["optimizer"]["state"].update(m=[0.0]), "Adam state 'm' must be a list of"),
        (lambda c: c["model"]["state"].pop("layers.0.neurons.0.b"), "missing key(s)"),
    ],
)
def test_damaged_checkpoints_raise_and_change_nothing(moons, tmp_path, change, message):
    X, y = moons
    path = tmp_path / "run.json"
    small_fit(MLP(2, [4, 1], seed=0), X, y, epochs=1, checkpoint=path)
    content = json.loads(path.read_text())
    change(content)
    path.write_text(json.dumps(content))
    model = MLP(2, [4, 1], seed=1)
    optimizer = Adam(model.parameters(), lr=0.03)
    before = (_weights(model), optimizer.state_dict())
    with pytest.raises(ValueError, match=re.escape(message)):
        small_fit(model, X, y, checkpoint=path, resume=True, optimizer=optimizer)
    assert (_weights(model), optimizer.state_dict()) == before
