"""nn.plots draws and saves its three pictures (matplotlib is the optional plots extra)."""

from __future__ import annotations

import re

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


def test_multi_class_points_share_their_regions_colours(tmp_path):
    from matplotlib.colors import to_rgb

    X, y = make_blobs(60, centers=3, seed=0)
    model = nn.MLP(2, [8, 3], seed=0)
    nn.fit(model, X, y, epochs=30, batch_size=20, progress=False)
    figure = plots.plot_decision_boundary(model, X, y, tmp_path / "blobs.png", resolution=40)
    axes = figure.axes[0]
    regions, *points = axes.collections
    region_colours = [to_rgb(c) for c in regions.get_facecolor()]
    assert len(region_colours) == 3 and len(points) == 3
    for label, scatter in enumerate(points):
        assert scatter.get_label() == f"class {label}"
        assert to_rgb(scatter.get_facecolor()[0]) == region_colours[label]
    assert len(set(region_colours)) == 3


def test_two_class_points_take_the_colours_of_their_side():
    from matplotlib.colors import to_rgb

    X, y = make_moons(40, seed=0)
    figure = plots.plot_decision_boundary(nn.MLP(2, [4, 1], seed=0), X, y, resolution=20)
    points = figure.axes[0].collections[-2:]
    # below the threshold RdBu is red (class 0), above it blue (class 1)
    assert [to_rgb(p.get_facecolor()[0]) for p in points] == [to_rgb("tab:red"), to_rgb("tab:blue")]


def test_the_demo_plots_the_points_its_title_counts(monkeypatch, tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / "examples" / "demo.py"
    spec = importlib.util.spec_from_file_location("demo_under_test", path)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    monkeypatch.setattr(demo, "OUTPUT", tmp_path)
    drawn, draw = {}, plots.plot_decision_boundary

    def record(model, X, y, path=None, **options):
        drawn.update(points=len(X), title=options["title"])
        return draw(model, X, y, path, **options)

    monkeypatch.setattr(plots, "plot_decision_boundary", record)
    demo.train_moons(compiled=True)
    counted = re.search(r"of the (\d+) held-out points shown", drawn["title"])
    assert counted and int(counted.group(1)) == drawn["points"] == 75


@pytest.mark.parametrize(
    ("X", "y", "options", "message"),
    [
        (np.array([[0.0, np.nan]]), np.zeros(1), {}, "plot_decision_boundary: X[0, 1] is nan"),
        (np.zeros((0, 2)), np.zeros(0), {}, "0 points and 0 labels"),
        (np.zeros((3, 2)), np.zeros(2), {}, "3 points and 2 labels"),
        (np.zeros((3, 2)), np.zeros(3), {"resolution": 10**6}, "resolution must be an int in"),
        (np.zeros((3, 2)), np.zeros(3), {"resolution": 1.5}, "got 1.5"),
    ],
)
def test_decision_boundary_refuses_hostile_input(X, y, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        plots.plot_decision_boundary(nn.MLP(2, [1], seed=0), X, y, **options)
