"""nn.plots draws and saves its three pictures (matplotlib is the optional plots extra)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn.data import make_blobs, make_moons

matplotlib = pytest.importorskip("matplotlib", reason="nn.plots needs the plots extra")
matplotlib.use("Agg")
plots = pytest.importorskip("nn.plots")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_loss_curve(tmp_path):
    X, y = make_moons(40, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    history = nn.fit(model, X, y, loss="bce_logits", epochs=3, batch_size=10, progress=False)
    figure = plots.plot_loss(history, tmp_path / "loss.png")
    assert (tmp_path / "loss.png").stat().st_size > 1000
    assert figure.axes[0].get_ylabel() == "loss C"


def test_decision_boundaries(tmp_path):
    X, y = make_moons(40, seed=0)
    plots.plot_decision_boundary(nn.MLP(2, [4, 1], seed=0), X, y, tmp_path / "a.png", resolution=20)
    X3, y3 = make_blobs(30, centers=3, seed=0)
    plots.plot_decision_boundary(
        nn.MLP(2, [4, 3], seed=0), X3, y3, tmp_path / "b.png", resolution=20
    )
    assert (tmp_path / "a.png").exists() and (tmp_path / "b.png").exists()
    with pytest.raises(ValueError, match="needs 2-D points, got X of shape \\(4, 3\\)"):
        plots.plot_decision_boundary(nn.MLP(3, [1]), np.zeros((4, 3)), np.zeros(4))


def test_digit_grid(tmp_path):
    images = np.random.default_rng(0).random((6, 64))
    figure = plots.plot_digit_predictions(
        nn.MLP(64, [10], seed=0), images, [0, 1, 2, 3, 4, 5], tmp_path / "digits.png", columns=4
    )
    assert (tmp_path / "digits.png").exists() and len(figure.axes) == 2 * 4 * 2
