"""compile(..., dtype="float32"): the whole program in float32, as PyTorch's default."""

from __future__ import annotations

import numpy as np
import pytest

import autograd

from .test_compiled import TinyMLP


def test_float32_runs_in_float32_and_the_values_stay_python_floats():
    model = TinyMLP(3, [5, 1], "tanh", seed=1)
    compiled = autograd.compile(lambda v: model(v)[0] ** 2, 3, dtype="float32")
    X = np.random.default_rng(0).normal(size=(8, 3))
    assert compiled(X).dtype == np.float32
    assert compiled.parameter_values().dtype == np.float32
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    compiled.backward(X)
    assert all(type(p.grad) is float for p in params)
    eager = autograd.compile(lambda v: model(v)[0] ** 2, 3)
    np.testing.assert_allclose(compiled(X), eager(X), rtol=1e-5, atol=1e-6)
    assert not np.array_equal(compiled(X).astype(np.float64), eager(X))  # not float64 numbers


def test_a_bad_dtype_is_named():
    with pytest.raises(ValueError, match=r"dtype.*'float16'"):
        autograd.compile(lambda v: v[0] * 2.0, 1, dtype="float16")


def test_float32_agrees_with_pytorch_float32():
    torch = pytest.importorskip("torch", reason="torch is needed for the float32 reference")
    model = TinyMLP(4, [6, 3], "tanh", seed=2)
    params = model.parameters()

    def fn(v):
        return autograd.sum([o * o for o in model(v)])

    compiled = autograd.compile(fn, 4, dtype="float32", parameters=params)
    X = np.random.default_rng(1).normal(size=(16, 4))
    flat = compiled.parameter_values()
    grads = np.empty_like(flat)
    loss, _ = compiled.value_and_grad(X, flat, grads)
    # The same network in torch float32.
    tensors = []
    h = torch.tensor(X, dtype=torch.float32)
    for i, layer in enumerate(model.layers):
        w = torch.tensor([[v.data for v in ws] for ws, _ in layer], dtype=torch.float32,
                         requires_grad=True)  # fmt: skip
        b = torch.tensor([b.data for _, b in layer], dtype=torch.float32, requires_grad=True)
        tensors += [(w, b)]
        h = h @ w.T + b
        if i < len(model.layers) - 1:
            h = torch.tanh(h)
    torch_loss = (h * h).sum(dim=1).mean()
    torch_loss.backward()
    expected = np.concatenate(
        [np.concatenate([w.grad.numpy(), b.grad.numpy()[:, None]], axis=1).ravel()
         for w, b in tensors]
    )  # fmt: skip
    assert loss == pytest.approx(torch_loss.item(), rel=1e-5)
    np.testing.assert_allclose(grads, expected, rtol=1e-4, atol=1e-5)
    assert grads.dtype == np.float32
    assert all(type(p.data) is float for p in params)  # the Values stay Python floats


def test_fit_draws_float32_batches_from_a_float32_table():
    """The table fit draws batches from is built once in the program's dtype: a float32 step
    converts no float64 batch (and the table takes half the memory)."""
    import nn
    from nn import losses
    from nn.compiled import CompiledStep

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 4)), rng.integers(0, 3, size=16)
    for dtype in ("float32", "float64"):
        model = nn.MLP(4, [5, 3], activation="relu", seed=0)
        optimizer = nn.Adam(model.parameters(), lr=1e-3)
        named = losses.named_loss("cross_entropy")
        step = CompiledStep(model, named, optimizer, X, y, dtype=dtype)
        table = step.table(X, y)
        assert table.dtype == np.dtype(dtype) == step.program.dtype
        np.testing.assert_allclose(table[:, :4], X, rtol=1e-6)
        assert (table[np.arange(16), 4 + y] == 1.0).all()
