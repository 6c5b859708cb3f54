"""Issue 20.15: no optimizer writes a number that is not finite, in eager and compiled training
alike, and no hyperparameter takes a bool for a number."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import nn
from autograd import Value
from nn.data import make_moons


def _data():
    X, y = make_moons(32, noise=0.1, seed=0)
    return X, y


@pytest.mark.parametrize("compiled", [False, True])
def test_a_step_that_would_overflow_raises_and_fit_keeps_the_last_finite_step(compiled):
    """Two ordinary steps, then a callback raises the rate to 1e308: the third update would
    write -inf. fit raises OverflowError naming the parameter, and the model keeps the weights
    of step two, on the compiled path as on the eager one."""
    X, y = _data()
    model = nn.MLP(2, [4, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    seen = []

    def callback(info):
        seen.append([p.data for p in info.model.parameters()])
        if len(seen) == 2:
            info.optimizer.lr = 1e308

    with pytest.raises(OverflowError, match=r"SGD.step: parameter \d+ .*no parameter was changed"):
        nn.fit(model, X, y * 1e3, loss="mse", optimizer=optimizer, epochs=3, batch_size=8,
               shuffle=False, progress=False, compiled=compiled, callbacks=[callback])  # fmt: skip
    assert len(seen) == 2
    assert [p.data for p in model.parameters()] == seen[-1]
    assert all(math.isfinite(p.data) for p in model.parameters())


def test_compiled_and_eager_refuse_the_same_first_step():
    X, y = _data()
    messages, weights = [], []
    for compiled in (False, True):
        model = nn.MLP(2, [4, 1], seed=0)
        before = [p.data for p in model.parameters()]
        with pytest.raises(OverflowError) as error:
            nn.fit(model, X, y * 100.0, loss="mse", optimizer=nn.SGD(model.parameters(), lr=1e308),
                   epochs=1, batch_size=8, progress=False, compiled=compiled)  # fmt: skip
        messages.append(str(error.value))
        weights.append([p.data for p in model.parameters()])
        assert weights[-1] == before
    assert messages[0] == messages[1]
    assert "would become -inf with lr=1e+308" in messages[0] or "would become inf" in messages[0]


def test_checked_update_puts_the_array_and_the_state_back():
    params = [Value(1.0, "a"), Value(-2.0, "b")]
    optimizer = nn.SGD(params, lr=1e308, momentum=0.5)
    array, grads = np.array([1.0, 1e308]), np.array([0.0, -1.0])
    with pytest.raises(OverflowError, match=re.escape("parameter 1 (b, 1e+308, grad -1.0)")):
        optimizer.checked_update(array, grads)
    assert array.tolist() == [1.0, 1e308] and optimizer.velocity is None
    optimizer.lr = 0.1
    optimizer.checked_update(array, grads)
    assert optimizer.velocity.tolist() == [0.0, -1.0] and array.tolist() == [1.0, 1e308 + 0.1]


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda p: nn.SGD(p, lr=True), "lr"),
        (lambda p: nn.Adam(p, lr=True), "lr"),
        (lambda p: nn.SGD(p, lr=0.1, momentum=True), "momentum"),
        (lambda p: nn.SGD(p, lr=0.1, momentum=False), "momentum"),
        (lambda p: nn.SGD(p, lr=0.1, weight_decay=True), "weight_decay"),
        (lambda p: nn.Adam(p, betas=(True, 0.9)), "beta1"),
        (lambda p: nn.Adam(p, betas=(0.9, False)), "beta2"),
        (lambda p: nn.Adam(p, eps=True), "eps"),
        (lambda p: nn.Adam(p, weight_decay=True), "weight_decay"),
        (lambda p: nn.SGD(p, lr="0.1"), "lr"),
        (lambda p: nn.SGD(p, lr=0.1, momentum="0.9"), "momentum"),
    ],
)
def test_a_bool_or_a_string_is_not_a_number(make, name):
    with pytest.raises(TypeError, match=rf": {name} must be a number, got"):
        make([Value(1.0)])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: nn.SGD(p, lr=0.1, weight_decay=math.nan), "weight_decay must be >= 0, got nan"),
        (lambda p: nn.SGD(p, lr=0.1, weight_decay=math.inf), "weight_decay must be >= 0, got inf"),
        (lambda p: nn.Adam(p, weight_decay=math.nan), "weight_decay must be >= 0, got nan"),
        (lambda p: nn.Adam(p, eps=math.inf), "eps must be > 0, got inf"),
        (lambda p: nn.SGD(p, lr=0.1, momentum=math.nan), "momentum must be in [0, 1), got nan"),
    ],
)
def test_a_hyperparameter_that_is_not_finite_is_refused(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make([Value(1.0)])


def test_numbers_of_other_types_are_still_numbers():
    optimizer = nn.Adam([Value(1.0)], lr=np.float32(0.5), betas=[0.5, np.float64(0.25)], eps=1)
    assert optimizer.lr == 0.5 and optimizer.betas == (0.5, 0.25) and optimizer.eps == 1.0
    assert type(optimizer.eps) is float


def test_adam_puts_nothing_back_because_it_changed_nothing():
    """Adam's checked_update copies nothing: its change is computed aside and committed only
    when every new number is finite. A step that would overflow leaves the array, m, v and t
    as they were, and the next good step equals update()'s bit for bit."""
    params = [Value(1.0, "a"), Value(-2.0, "b")]
    optimizer = nn.Adam(params, lr=0.1)
    array, grads = np.array([1.0, -1.7e308]), np.array([0.5, 1.0])
    optimizer.checked_update(array, grads)
    state = (optimizer.t, optimizer.m.tolist(), optimizer.v.tolist(), array.tolist())
    optimizer.lr = 1e308  # the step overflows
    with pytest.raises(OverflowError, match=r"Adam.step: parameter 0 \(a, 0.9.*would become -inf"):
        optimizer.checked_update(array, grads)
    assert (optimizer.t, optimizer.m.tolist(), optimizer.v.tolist(), array.tolist()) == state
    optimizer.lr = 0.1
    twin = nn.Adam(params, lr=0.1)
    twin.load_state_dict(optimizer.state_dict())
    twin_array = array.copy()
    optimizer.checked_update(array, grads)
    twin.update(twin_array, grads)
    assert array.tolist() == twin_array.tolist() and optimizer.m.tolist() == twin.m.tolist()


def test_an_optimizer_written_as_update_alone_is_still_all_or_nothing():
    class Doubling(nn.optim.Optimizer):
        def update(self, params, grads):
            self.calls = getattr(self, "calls", 0) + 1
            params *= 2.0 * self.lr

    optimizer = Doubling([Value(1.0, "w")], lr=1.0)
    array = np.array([1e308])
    with pytest.raises(OverflowError, match=re.escape("parameter 0 (w, 1e+308, grad 0.0)")):
        optimizer.checked_update(array, np.array([0.0]))
    assert array.tolist() == [1e308] and not hasattr(optimizer, "calls")
    optimizer.checked_update(array := np.array([3.0]), np.array([0.0]))
    assert array.tolist() == [6.0] and optimizer.calls == 1
