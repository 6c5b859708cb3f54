"""fit(live=...): redraws by time, a final picture, nothing drawn outside Jupyter."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

import nn
from nn.data import make_moons
from nn.live import LiveView, training_svg


def moons_run(live, epochs: int = 8, **options):
    X, y = make_moons(120, noise=0.1, seed=0)
    model = nn.MLP(2, [8, 1], seed=0)
    return nn.fit(model, X, y, loss="bce_logits", epochs=epochs, batch_size=20, progress=False,
                  live=live, **options)  # fmt: skip


def test_redraws_are_counted_and_the_last_one_is_the_final_state() -> None:
    pictures: list[str] = []
    view = LiveView(every=0.0, budget=1.0, show=lambda svg, network: pictures.append(svg))
    history = moons_run(view, compiled=True)
    steps = len(history.step_loss)
    assert 2 <= view.refreshes == len(pictures) <= steps + 1
    assert f"loss C, step {steps}" in pictures[-1]
    assert f"accuracy, epoch {history.epochs}" in pictures[-1]
    assert "decision boundary" in pictures[-1] and pictures[-1].count("<rect") > 900


def test_redraws_go_by_time_not_by_step() -> None:
    pictures: list[str] = []
    view = LiveView(every=3600.0, show=lambda svg, network: pictures.append(svg))
    moons_run(view, epochs=20)
    assert view.refreshes == 1  # only the final picture, however many steps

    slow: list[float] = []

    def slow_show(svg: str, network: object) -> None:
        slow.append(time.perf_counter())
        time.sleep(0.02)

    view = LiveView(every=0.0, budget=0.1, show=slow_show)
    start = time.perf_counter()
    moons_run(view, epochs=20)
    elapsed = time.perf_counter() - start
    # Each redraw takes >= 20 ms, so the next waits >= 200 ms: redraws stay within the budget.
    # Every redraw is followed by a wait of 10 times its length (the last wait may be cut
    # short by the end of the run, and the final picture by the end of fit).
    assert view.seconds <= 0.1 * elapsed + 3 * view.last_seconds + 0.05, (view.seconds, elapsed)
    assert all(b - a >= 0.15 for a, b in itertools.pairwise(slow[:-1]))


def test_outside_jupyter_live_keeps_only_the_progress_bar() -> None:
    view = LiveView()
    assert not view.active
    history = moons_run(view)
    assert view.refreshes == 0 and history.epochs == 8
    assert moons_run(True).epochs == 8


def test_bad_live_arguments_name_the_problem() -> None:
    with pytest.raises(
        ValueError, match=r"fit: live must be True, False or an nn\.LiveView, got 'yes'"
    ):
        moons_run("yes")
    with pytest.raises(ValueError, match="LiveView: every must be >= 0 seconds and budget in"):
        LiveView(budget=0.0)


def test_the_picture_without_2d_data_has_curves_only() -> None:
    history = nn.History(loss=[0.5], accuracy=[float("nan")], step_loss=[0.7, 0.5, -0.1])
    svg = training_svg(history)
    assert "decision boundary" not in svg and "accuracy (after the first epoch)" in svg
    assert "(log)" not in svg  # a loss below zero: linear scale


@pytest.mark.parametrize("loss", ["bce", "bce_logits", "hinge"])
def test_the_boundary_is_where_the_loss_changes_class(loss: str) -> None:
    """A probability (bce, sigmoid output) changes class at 0.5, a logit or score at 0: the
    boundary splits the moons into both colours, and the cells under the samples agree with
    the accuracy fit reports."""
    X, y = make_moons(120, noise=0.1, seed=0)
    labels = 2 * y - 1 if loss == "hinge" else y
    output = "sigmoid" if loss == "bce" else "linear"
    model = nn.MLP(2, [8, 1], output_activation=output, seed=0)
    view = LiveView(every=3600.0, show=lambda svg, network: None)
    history = nn.fit(model, X, labels, loss=loss, epochs=30, batch_size=20, progress=False,
                     live=view, optimizer=nn.Adam(model.parameters(), lr=0.05))  # fmt: skip
    scores, scaled, _ = view._grid()
    assert 0.2 < (scores < 0).mean() < 0.8
    cells = np.minimum((scaled * scores.shape[0]).astype(int), scores.shape[0] - 1)
    predicted = scores[cells[:, 1], cells[:, 0]] > 0
    agreement = (predicted == (y == 1)).mean()
    assert history.accuracy[-1] > 0.8 and agreement > history.accuracy[-1] - 0.1
