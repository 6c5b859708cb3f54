"""Issue 20, items 15, 17, 18: no non-finite weight written, checkpoint paths checked first,
huge ints in a state refused by key."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Value
from nn.data import make_moons


def test_an_overflowing_step_raises_and_changes_nothing():
    p = Value(-1.0, "w")
    p.grad = 10.0
    optimizer = nn.SGD([p], lr=1e308)
    with pytest.raises(OverflowError, match=r"SGD.step: parameter 0 \(w,.*no parameter was"):
        optimizer.step()
    assert p.data == -1.0


def test_adam_state_is_unchanged_by_a_refused_step():
    p = Value(1e308)
    p.grad = -1.0
    optimizer = nn.Adam([p], lr=1e308)
    with pytest.raises(OverflowError):
        optimizer.step()
    assert p.data == 1e308 and optimizer.t == 0 and optimizer.m[0] == 0.0


def test_eager_fit_with_a_huge_rate_keeps_the_last_finite_step():
    X, y = make_moons(32, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    with pytest.raises(OverflowError):
        nn.fit(model, X, y, loss="bce_logits", optimizer=nn.SGD(model.parameters(), lr=1e308),
               epochs=5, batch_size=8, progress=False)  # fmt: skip
    assert all(np.isfinite(p.data) for p in model.parameters())


@pytest.mark.parametrize("optimizer", [nn.SGD, nn.Adam])
def test_a_bool_learning_rate_is_refused(optimizer):
    with pytest.raises(TypeError, match="lr must be a number, got True"):
        optimizer([Value(1.0)], lr=True)


def test_an_unwritable_checkpoint_path_fails_before_the_first_step(tmp_path):
    X, y = make_moons(32, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    before = [p.data for p in model.parameters()]
    steps = []
    with pytest.raises(ValueError, match="does not exist"):
        nn.fit(model, X, y, loss="bce_logits", epochs=1, progress=False,
               checkpoint=tmp_path / "missing" / "run.json",
               callbacks=[steps.append])  # fmt: skip
    with pytest.raises(ValueError, match="is a folder"):
        nn.fit(model, X, y, loss="bce_logits", epochs=1, progress=False, checkpoint=tmp_path)
    assert steps == [] and [p.data for p in model.parameters()] == before


def test_a_huge_int_in_an_optimizer_state_names_the_key():
    optimizer = nn.SGD([Value(1.0)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"'velocity'\[0\] must be a finite number"):
        optimizer.load_state_dict({"velocity": [10**400]})


@pytest.mark.parametrize("ndim", [0, 5, 255])
def test_an_idx_header_with_impossible_dimensions_says_so(tmp_path, ndim):
    path = tmp_path / "bad-idx"
    path.write_bytes(bytes([0, 0, 8, ndim]) + (1).to_bytes(4, "big") * ndim + b"\0")
    with pytest.raises(ValueError, match=f"declares {ndim} dimensions.*the header is damaged"):
        nn.data.read_idx(path)


def test_a_huge_int_in_a_model_state_names_the_key():
    model = nn.Neuron(2, seed=0)
    state = model.state_dict()
    key = next(iter(state))
    before = [p.data for p in model.parameters()]
    state[key] = [10**400] * len(state[key])
    with pytest.raises(ValueError, match=rf"state dict key '{key}'\[0\] must be a finite number"):
        model.load_state_dict(state)
    assert [p.data for p in model.parameters()] == before


@pytest.mark.parametrize("compiled", [False, True])
def test_the_readme_one_output_fit_names_the_loss_to_pass(compiled):
    """README: nn.fit(model, X, y, compiled=True, live=True) on the one-output moons model: the
    default loss (cross_entropy) does not fit one output, and the error says what to pass."""
    X, y = make_moons(32, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError, match=r"pass loss='bce_logits' \(labels 0 and 1\)"):
        nn.fit(model, X, y, compiled=compiled, live=True, progress=False)
    history = nn.fit(model, X, y, loss="bce_logits", compiled=compiled, live=True,
                     progress=False, epochs=1)  # fmt: skip
    assert history.epochs == 1


def test_float32_needs_compiled_training():
    X, y = make_moons(16, seed=0)
    model = nn.MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match=r"dtype='float32' needs compiled=True"):
        nn.fit(model, X, y, loss="bce_logits", dtype="float32", progress=False)
    with pytest.raises(ValueError, match=r"dtype must be 'float64' or 'float32', got 'half'"):
        nn.fit(model, X, y, loss="bce_logits", dtype="half", compiled=True, progress=False)


def test_float32_compiled_training_gives_float_parameters_close_to_float64():
    X, y = make_moons(64, noise=0.1, seed=0)
    runs = {}
    for dtype in ("float64", "float32"):
        model = nn.MLP(2, [6, 1], seed=0)
        nn.fit(model, X, y, loss="bce_logits", epochs=2, batch_size=16, progress=False,
               compiled=True, dtype=dtype)  # fmt: skip
        runs[dtype] = [p.data for p in model.parameters()]
        assert all(type(x) is float for x in runs[dtype])
    np.testing.assert_allclose(runs["float32"], runs["float64"], rtol=1e-3, atol=1e-4)
    assert runs["float32"] != runs["float64"]
