"""Pictures of training with matplotlib (the ``plots`` extra): the loss curve, the decision
boundary of a 2-D classifier, and a grid of digits with the network's output activations.

Each function returns a matplotlib Figure; pass ``path`` to also save it (PNG, SVG, ...).
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from .module import Module
from .train import History, predict

MAX_RESOLUTION = 1000  # a grid of a million points: the model runs once per point


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "nn.plots needs matplotlib: pip install 'seegrad[plots]' (or pip install matplotlib)"
        ) from None
    return plt


def _finish(figure: Any, path: str | os.PathLike[str] | None) -> Any:
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, dpi=120)
    return figure


def plot_loss(history: History, path: str | os.PathLike[str] | None = None) -> Any:
    """Loss of every step (thin) and mean loss per epoch (thick), with accuracy if measured."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 4.0))
    steps = np.arange(1, len(history.step_loss) + 1)
    axes.plot(steps, history.step_loss, lw=0.6, alpha=0.5, label="loss of each step")
    if history.loss:
        per_epoch = len(history.step_loss) / max(len(history.loss), 1)
        ends = per_epoch * np.arange(1, len(history.loss) + 1)
        axes.plot(ends, history.loss, lw=2.0, label="mean loss of each epoch")
    axes.set_yscale("log" if min(history.step_loss, default=1.0) > 0 else "linear")
    axes.set_xlabel("step")
    axes.set_ylabel("loss C")
    axes.set_title("Training loss")
    accuracy = [a for a in history.accuracy if a == a]
    if accuracy:
        right = axes.twinx()
        right.plot(ends[-len(accuracy) :], accuracy, color="tab:green", lw=1.5, label="accuracy")
        right.set_ylabel("training accuracy")
        right.set_ylim(0.0, 1.02)
        handles, labels = axes.get_legend_handles_labels()
        more_handles, more_labels = right.get_legend_handles_labels()
        right.legend(handles + more_handles, labels + more_labels, loc="lower left")
    else:
        axes.legend(loc="lower left")
    return _finish(figure, path)


def plot_decision_boundary(
    model: Module,
    X: np.ndarray,
    y: np.ndarray,
    path: str | os.PathLike[str] | None = None,
    threshold: float = 0.0,
    resolution: int = 120,
    title: str = "Decision boundary",
) -> Any:
    """The plane coloured by the model's output on a grid, the boundary where it crosses
    ``threshold`` (0 for a logit or a tanh/hinge score, 0.5 for a probability), and the points.
    A model with several outputs is coloured by its argmax."""
    plt = _pyplot()
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D points, got X of shape {X.shape}")
    if len(X) == 0 or len(X) != len(y):
        raise ValueError(f"plot_decision_boundary: {len(X)} points and {len(y)} labels")
    if not np.isfinite(X).all():
        row, column = (int(i) for i in np.argwhere(~np.isfinite(X))[0])
        raise ValueError(f"plot_decision_boundary: X[{row}, {column}] is {X[row, column]}")
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, numbers.Integral)
        or not 2 <= resolution <= MAX_RESOLUTION
    ):
        raise ValueError(
            f"plot_decision_boundary: resolution must be an int in [2, {MAX_RESOLUTION}] "
            f"(the model is evaluated resolution² times), got {resolution!r:.40}"
        )
    margin = 0.5
    (x_low, y_low), (x_high, y_high) = X.min(axis=0) - margin, X.max(axis=0) + margin
    grid_x, grid_y = np.meshgrid(
        np.linspace(x_low, x_high, resolution), np.linspace(y_low, y_high, resolution)
    )
    outputs = predict(model, np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    figure, axes = plt.subplots(figsize=(5.6, 4.8))
    if outputs.ndim == 1:
        surface = outputs.reshape(grid_x.shape)
        spread = np.abs(surface - threshold).max() or 1.0
        shading = axes.contourf(
            grid_x, grid_y, surface, levels=30, cmap="RdBu",
            vmin=threshold - spread, vmax=threshold + spread, alpha=0.8,
        )  # fmt: skip
        axes.contour(grid_x, grid_y, surface, levels=[threshold], colors="k", linewidths=1.5)
        figure.colorbar(shading, ax=axes, label="model output")
        colour_of = dict(zip(np.unique(y), ["tab:red", "tab:blue"] * len(y)))  # RdBu's ends
    else:
        # Region k and the points of class k share tab10's colour k.
        n_classes = outputs.shape[1]
        palette = [plt.get_cmap("tab10")(k % 10) for k in range(n_classes)]
        classes = outputs.argmax(axis=1).reshape(grid_x.shape)
        axes.contourf(
            grid_x, grid_y, classes, levels=np.arange(n_classes + 1) - 0.5,
            colors=palette, alpha=0.35,
        )  # fmt: skip
        colour_of = {label: palette[int(label) % n_classes] for label in np.unique(y)}
    for label, colour in colour_of.items():
        chosen = y == label
        axes.scatter(
            *X[chosen].T, s=14, color=colour, edgecolors="k", lw=0.4, label=f"class {label}"
        )
    axes.legend(loc="lower left", fontsize=8)
    axes.set_title(title)
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    return _finish(figure, path)


def plot_digit_predictions(
    model: Module,
    images: np.ndarray,
    labels: Sequence[int],
    path: str | os.PathLike[str] | None = None,
    columns: int = 4,
) -> Any:
    """Each digit beside a bar chart of the ten output activations (softmax of the outputs):
    for a "2" the bar of 2 should be near 1 and all others near 0. Wrong answers in red."""
    plt = _pyplot()
    images = np.asarray(images, dtype=float)
    side = round(float(np.sqrt(images.shape[1])))
    logits = predict(model, images)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    rows = int(np.ceil(len(images) / columns))
    figure, grid = plt.subplots(rows, 2 * columns, figsize=(2.6 * columns, 1.4 * rows))
    grid = np.atleast_2d(grid)
    for k in range(rows * columns):
        picture, bars = (
            grid[k // columns, 2 * (k % columns)],
            grid[k // columns, 2 * (k % columns) + 1],
        )
        picture.axis("off")
        if k >= len(images):
            bars.axis("off")
            continue
        guess, truth = int(probabilities[k].argmax()), int(labels[k])
        picture.imshow(images[k].reshape(side, side), cmap="gray_r")
        colour = "tab:green" if guess == truth else "tab:red"
        picture.set_title(f"{truth} → {guess}", color=colour, fontsize=9)
        bar_colours = ["tab:gray"] * probabilities.shape[1]
        bar_colours[guess] = colour
        bars.bar(range(probabilities.shape[1]), probabilities[k], color=bar_colours)
        bars.set_ylim(0, 1)
        bars.set_xticks(range(probabilities.shape[1]))
        bars.tick_params(labelsize=6)
        bars.set_yticks([])
    figure.suptitle("Digits: true → predicted, with the output activations (softmax)")
    return _finish(figure, path)
