"""fit's eager step pauses Python's cyclic garbage collector and gives the caller's setting back."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from nn import MLP, fit


def _fit_recording_collector(states: list[bool]) -> None:
    def loss(out, target):
        states.append(gc.isenabled())
        return (out - float(target)) ** 2

    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    fit(MLP(2, [3, 1], seed=0), X, [0.0, 1.0, 1.0], loss=loss, epochs=2, progress=False)


def test_the_collector_is_paused_during_each_eager_step_and_back_on_after():
    assert gc.isenabled()
    states: list[bool] = []
    _fit_recording_collector(states)
    assert states and not any(states)
    assert gc.isenabled()


def test_a_caller_who_turned_the_collector_off_keeps_it_off():
    gc.disable()
    try:
        _fit_recording_collector([])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_comes_back_when_a_step_raises():
    def failing(out, target):
        raise RuntimeError("loss failed")

    with pytest.raises(RuntimeError, match="loss failed"):
        fit(MLP(2, [1], seed=0), [[0.0, 1.0]], [1.0], loss=failing, epochs=1, progress=False)
    assert gc.isenabled()
