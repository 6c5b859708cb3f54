"""Watch a network learn: ``fit(..., live=True)`` (or ``live=LiveView(...)``) in Jupyter.

A :class:`LiveView` is a ``fit`` callback that redraws, by time and not by step, one picture:
the loss of every step, the accuracy of every epoch, and for 2-D inputs the decision boundary,
plus the network view (:mod:`nn.network`) with weights coloured.
Each redraw replaces the previous one in the same output, so when the run ends the output holds
a static picture of the final state, which a saved notebook keeps. Redraws are spaced so that
they take at most ``budget`` (5 %) of the run's time. Outside Jupyter there is nothing to draw
on: ``live=True`` leaves the progress bar alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .module import Module

GRID = 30  # cells per side of the decision-boundary grid
PANEL = (260.0, 200.0)  # width and height of each panel of the picture, px


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (where a picture can be shown and replaced)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _jupyter_show() -> Callable[[str, Any], None]:
    """Show an SVG (and the network view, if any) in one output that each call replaces."""
    from IPython.display import HTML, display

    from autograd.viz.fit import fit_svg

    handles: list[Any] = []

    def show(svg: str, network: Any) -> None:
        shown = [HTML(fit_svg(svg))] + ([network] if network is not None else [])
        if not handles:
            handles.extend(display(item, display_id=True) for item in shown)
        else:
            for handle, item in zip(handles, shown):
                handle.update(item)

    return show


class LiveView:
    """A ``fit`` callback drawing the training as it goes (see the module docstring).

    ``every``: seconds between redraws at least; ``budget``: the largest share of the run's
    time the redraws may take (the gap grows after a slow redraw); ``show(svg, network)``
    receives each picture (default: Jupyter's display, replaced in place; None outside it).
    ``refreshes`` counts the redraws.
    """

    def __init__(
        self,
        every: float = 0.5,
        budget: float = 0.05,
        show: Callable[[str, Any], None] | None = None,
        network: bool = True,
    ) -> None:
        if not every >= 0 or not 0 < budget <= 1:
            raise ValueError(
                f"LiveView: every must be >= 0 seconds and budget in (0, 1], "
                f"got every={every!r}, budget={budget!r}"
            )
        self.every, self.budget, self.network = every, budget, network
        self.show = show if show is not None else (_jupyter_show() if in_jupyter() else None)
        self.refreshes = 0
        self.seconds = 0.0  # spent redrawing
        self.last_seconds = 0.0  # the last redraw's share of it
        self._next = 0.0
        self._X: np.ndarray | None = None
        self._y: np.ndarray | None = None
        self._predict: Callable[[np.ndarray], np.ndarray] | None = None
        self._threshold = 0.0

    @property
    def active(self) -> bool:
        return self.show is not None

    def start(
        self,
        model: Module,
        X: np.ndarray,
        y: np.ndarray,
        predict: Callable[[np.ndarray], np.ndarray] | None = None,
        threshold: float = 0.0,
    ) -> None:
        """Called by ``fit`` before the first step: the data to draw the boundary over,
        ``predict(X)``, the model's outputs (samples, outputs) for rows of X with the current
        weights (fit passes its training step's, which for compiled training is the program it
        trains with; default: a forward pass on the Values), and for one output the
        ``threshold`` where the class changes (0.5 when the loss reads the output as a
        probability)."""
        self._X, self._y = np.asarray(X, dtype=float), np.asarray(y)
        self._threshold = float(threshold)
        self._next = time.perf_counter() + self.every
        if self.show is None or self._X.ndim != 2 or self._X.shape[1] != 2:
            return
        if predict is None:
            from .step import predict as forward

            def predict(rows: np.ndarray) -> np.ndarray:
                return forward(model, rows)

        self._predict = predict

    def due(self) -> bool:
        """Whether the next redraw is due (``fit`` calls the view only then)."""
        return self.show is not None and time.perf_counter() >= self._next

    def __call__(self, info: Any) -> None:
        if self.due():
            self.refresh(info.history, info.model)

    def finish(self, history: Any, model: Module) -> None:
        """Called by ``fit`` at the end: the picture of the final state."""
        if self.show is not None and history.step_loss:
            self.refresh(history, model)

    def refresh(self, history: Any, model: Module) -> None:
        start = time.perf_counter()
        network = self._network(model) if self.network else None
        self.show(self.picture(history), network)  # type: ignore[misc]
        spent = time.perf_counter() - start
        self.refreshes += 1
        self.seconds += spent
        self.last_seconds = spent
        # Next redraw no sooner than `every`, and late enough that redraws stay within budget.
        self._next = time.perf_counter() + max(self.every, spent / self.budget)

    def picture(self, history: Any) -> str:
        """The loss and accuracy curves and (2-D data) the decision boundary, as SVG."""
        boundary = self._grid() if self._predict is not None else None
        return training_svg(history, boundary)

    def _grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The model's output less the threshold (for several outputs, the margin of class 1
        over the others) on a GRID x GRID grid over the data, and the data: ``(scores, X
        scaled to [0, 1], y)``."""
        X, y = self._X, self._y
        assert X is not None and y is not None
        low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
        centres = (np.arange(GRID) + 0.5) / GRID
        grid_x, grid_y = np.meshgrid(low[0] + centres * (high[0] - low[0]),
                                     low[1] + centres * (high[1] - low[1]))  # fmt: skip
        assert self._predict is not None
        outputs = np.asarray(self._predict(np.column_stack([grid_x.ravel(), grid_y.ravel()])))
        outputs = outputs.reshape(GRID * GRID, -1)
        if outputs.shape[1] == 1:
            scores = outputs[:, 0] - self._threshold
        else:  # the margin of class 1 over the others (two classes: logit difference)
            scores = outputs[:, 1] - np.delete(outputs, 1, axis=1).max(axis=1)
        return scores.reshape(GRID, GRID), (X - low) / (high - low), y

    @staticmethod
    def _network(model: Module) -> Any:
        return model.network_view()


def live_view(live: bool | LiveView) -> LiveView | None:
    """What ``fit(live=...)`` uses: None for False, a :class:`LiveView` for True or itself."""
    if live is False or live is None:
        return None
    if live is True:
        return LiveView()
    if isinstance(live, LiveView):
        return live
    raise ValueError(f"fit: live must be True, False or an nn.LiveView, got {live!r}")


def _polyline(xs: np.ndarray, ys: np.ndarray, box: tuple[float, float, float, float]) -> str:
    """Points scaled into ``box`` = (left, top, width, height); y grows upwards."""
    left, top, width, height = box
    if len(xs) == 0:
        return ""
    x_span = (xs.max() - xs.min()) or 1.0
    y_low, y_span = ys.min(), (ys.max() - ys.min()) or 1.0
    px = left + (xs - xs.min()) / x_span * width
    py = top + height - (ys - y_low) / y_span * height
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py))


def _panel(k: int, title: str, lines: list[str], low: str, high: str) -> str:
    width, height = PANEL
    left = 10 + k * (width + 20)
    return (
        f'<g><text x="{left + width / 2:.0f}" y="16" text-anchor="middle" font-size="13" '
        f'font-weight="bold">{title}</text>'
        f'<rect x="{left + 40}" y="26" width="{width - 50}" height="{height - 50}" '
        'fill="none" stroke="#999"/>'
        f'<text x="{left + 36}" y="34" text-anchor="end" font-size="10">{high}</text>'
        f'<text x="{left + 36}" y="{height - 24}" text-anchor="end" font-size="10">{low}</text>'
        + "".join(lines)
        + "</g>"
    )


def training_svg(
    history: Any, boundary: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> str:
    """One SVG: the loss of every step (log scale when positive), the accuracy of every epoch
    and, given ``(scores on a grid, X scaled to [0, 1], y)``, the decision boundary: cells red
    where the model's score is negative, blue where positive, the samples as dots."""
    width, height = PANEL
    inner = lambda k: (10 + k * (width + 20) + 40, 26.0, width - 50, height - 50)  # noqa: E731
    losses = np.asarray(history.step_loss, dtype=float)
    stride = max(1, len(losses) // 400)  # at most ~400 points drawn
    shown = losses[::stride]
    log = len(shown) > 0 and shown.min() > 0
    ys = np.log10(shown) if log else shown
    curve = _polyline(np.arange(len(shown), dtype=float), ys, inner(0))
    low, high = (f"{losses.min():.3g}", f"{losses.max():.3g}") if len(losses) else ("", "")
    panels = [
        _panel(
            0,
            f"loss C, step {len(losses)}" + (" (log)" if log else ""),
            [f'<polyline points="{curve}" fill="none" stroke="#1f77b4" stroke-width="1.2"/>'],
            low,
            high,
        )
    ]
    accuracy = np.asarray([a for a in history.accuracy if a == a], dtype=float)
    if len(accuracy):
        left, top, w, h = inner(1)
        xs = left + (np.arange(len(accuracy)) + 0.5) / len(accuracy) * w
        ys = top + h - accuracy * h
        dots = "".join(
            f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2" fill="#2ca02c"/>' for a, b in zip(xs, ys)
        )
        line = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys))
        title = f"accuracy, epoch {len(accuracy)}: {accuracy[-1]:.1%}"
        lines = [f'<polyline points="{line}" fill="none" stroke="#2ca02c"/>', dots]
    else:
        title, lines = "accuracy (after the first epoch)", []
    panels.append(_panel(1, title, lines, "0", "1"))
    if boundary is not None:
        panels.append(_panel(2, "decision boundary", [_boundary_svg(*boundary, inner(2))], "", ""))
    total = 10 + len(panels) * (width + 20)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {total:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif">'
        + "".join(panels)
        + "</svg>"
    )


def _boundary_svg(
    scores: np.ndarray, X: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]
) -> str:
    left, top, width, height = box
    cell_w, cell_h = width / GRID, height / GRID
    spread = np.abs(scores).max() or 1.0
    strength = np.abs(scores) / spread
    cells = []
    for row in range(GRID):
        for column in range(GRID):
            s = scores[row, column]
            fade = int(255 - 150 * min(1.0, 3 * strength[row, column]))
            colour = f"rgb(255,{fade},{fade})" if s < 0 else f"rgb({fade},{fade},255)"
            x, y_top = left + column * cell_w, top + height - (row + 1) * cell_h
            cells.append(
                f'<rect x="{x:.1f}" y="{y_top:.1f}"'
                f' width="{cell_w + 0.3:.1f}" height="{cell_h + 0.3:.1f}" fill="{colour}"/>'
            )
    classes = sorted(set(np.asarray(y).tolist()))
    dots = [
        f'<circle cx="{left + a * width:.1f}" cy="{top + height - b * height:.1f}" r="2.2" '
        f'fill="{"#d62728" if classes.index(label) == 0 else "#1f3fbf"}" stroke="#000" '
        'stroke-width="0.4"/>'
        for (a, b), label in zip(X.tolist(), np.asarray(y).tolist())
    ]
    return "".join(cells + dots)
