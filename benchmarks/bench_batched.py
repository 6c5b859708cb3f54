"""Compiled programs against PyTorch CPU, in one process with torch imported.

Run by ``benchmarks/run.py`` in its own subprocess; prints one JSON object on its last line.
Both sides run single-threaded unless ``BENCH_THREADS`` says otherwise (run.py also sets
the BLAS thread count before NumPy loads).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import numpy as np
import torch
from common import (
    MLP,
    alternate,
    compiled_step_factory,
    cross_entropy,
    moons,
    zero_grad,
)

import autograd
from autograd import Value

THREADS = int(os.environ.get("BENCH_THREADS", "1"))
torch.set_num_threads(THREADS)


def torch_mlp(model: MLP, dtype: torch.dtype, activation: str) -> torch.nn.Sequential:
    """The same network as ``model`` (same weights) as a PyTorch module."""
    layers: list[torch.nn.Module] = []
    for i, layer in enumerate(model.layers):
        linear = torch.nn.Linear(len(layer[0][0]), len(layer), dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(
                torch.tensor([[w.data for w in ws] for ws, _ in layer], dtype=torch.float64)
            )
            linear.bias.copy_(torch.tensor([b.data for _, b in layer], dtype=torch.float64))
        layers.append(linear)
        if i < len(model.layers) - 1:
            layers.append(torch.nn.ReLU() if activation == "relu" else torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


# -- moons: one demo step on the whole batch --------------------------------------------------


def moons_contenders() -> tuple[dict, dict]:
    X, y = moons()
    ours = compiled_step_factory()
    contenders = {"compiled": ours}
    losses = {"compiled": ours()}
    for name, dtype in (("torch_f64", torch.float64), ("torch_f32", torch.float32)):
        net = torch_mlp(MLP(2, [16, 16, 1], scale=1.0), dtype, "relu")
        optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
        inputs = torch.tensor(X, dtype=dtype)
        labels = torch.tensor(y, dtype=dtype)

        def step(net=net, optimizer=optimizer, inputs=inputs, labels=labels) -> float:
            scores = net(inputs).squeeze(1)
            data_loss = torch.relu(1.0 - labels * scores).mean()
            l2 = sum((p * p).sum() for p in net.parameters())
            loss = data_loss + 1e-4 * l2
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()

        contenders[name] = step
        losses[name] = step()
    return contenders, losses


# -- an MNIST-sized MLP: 784-32-10, cross-entropy, batch 1024 ---------------------------------

N_IN, N_HIDDEN, N_OUT, BATCH = 784, 32, 10, 1024


def mnist_sized() -> dict:
    rng = np.random.default_rng(0)
    pixels = rng.uniform(0.0, 1.0, size=(BATCH, N_IN))
    labels = rng.integers(0, N_OUT, size=BATCH)
    batch = np.hstack([pixels, np.eye(N_OUT)[labels]])
    model = MLP(N_IN, [N_HIDDEN, N_OUT], activation="relu")

    def loss_fn(v: list[Value]) -> Value:
        return cross_entropy(model(v[:N_IN]), v[N_IN:])

    compile_times = []
    for _ in range(3):
        start = time.perf_counter()
        compiled = autograd.compile(loss_fn, N_IN + N_OUT)
        compile_times.append(time.perf_counter() - start)
    # float32 as a float32 training loop runs it (nn.fit does): the weights and their gradient
    # in caller-owned arrays, not read from and written into 25,450 Values on every call.
    compiled32 = autograd.compile(loss_fn, N_IN + N_OUT, dtype="float32")
    batch32 = batch.astype(np.float32)
    weights32 = compiled32.parameter_values()
    grads32 = np.zeros_like(weights32)

    def ours() -> float:
        return compiled.backward(batch)

    def ours32() -> float:
        return compiled32.value_and_grad(batch32, weights32, grads32)[0]

    contenders = {"compiled": ours, "compiled_f32": ours32}
    losses = {"compiled": ours(), "compiled_f32": ours32()}
    for name, dtype in (("torch_f64", torch.float64), ("torch_f32", torch.float32)):
        net = torch_mlp(model, dtype, "relu")
        inputs = torch.tensor(pixels, dtype=dtype)
        targets = torch.tensor(labels)

        def step(net=net, inputs=inputs, targets=targets) -> float:
            loss = torch.nn.functional.cross_entropy(net(inputs), targets)
            loss.backward()  # accumulates into .grad, as compiled.backward does
            return loss.item()

        contenders[name] = step
        losses[name] = step()
    times = alternate(contenders, rounds=9, block_seconds=0.1)
    return {
        "times": times,
        "losses": losses,
        "compile_seconds": statistics.median(compile_times),
        "nodes": compiled.n_nodes,
        "parameters": len(compiled.parameters),
        "steps": len(compiled.steps),
    }


# -- digits 64-32-10 to 97 % test accuracy ----------------------------------------------------

DIGITS_TARGET = 0.97
DIGITS_BATCH = 32
DIGITS_LR = 0.01
DIGITS_MAX_EPOCHS = 60


def digits_data() -> dict:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=0.25, stratify=digits.target, random_state=0
    )
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-8
    return {
        "X_train": (X_train - mean) / std,
        "X_test": (X_test - mean) / std,
        "y_train": y_train,
        "y_test": y_test,
    }


class Adam:
    """Adam over Values, computed with NumPy on the gathered gradients (PyTorch's rule)."""

    def __init__(self, params: list[Value], lr: float, betas=(0.9, 0.999), eps=1e-8) -> None:
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = np.zeros(len(params))
        self.v = np.zeros(len(params))
        self.t = 0

    def step(self) -> None:
        b1, b2 = self.betas
        self.t += 1
        g = np.fromiter((p.grad for p in self.params), float, len(self.params))
        data = np.fromiter((p.data for p in self.params), float, len(self.params))
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        m_hat = self.m / (1 - b1**self.t)
        v_hat = self.v / (1 - b2**self.t)
        data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        for p, value in zip(self.params, data.tolist(), strict=True):
            p.data = value


def train_digits_ours(data: dict, seed: int) -> dict:
    start = time.perf_counter()
    model = MLP(64, [32, 10], activation="tanh", seed=seed)
    params = model.parameters()
    loss = autograd.compile(lambda v: cross_entropy(model(v[:64]), v[64:]), 74)
    logits = autograd.compile(model, 64)  # ten outputs: (batch, 10)
    compiled_at = time.perf_counter() - start
    train = np.hstack([data["X_train"], np.eye(10)[data["y_train"]]])
    optimizer = Adam(params, DIGITS_LR)
    order = np.random.default_rng(seed)
    accuracy, epoch = 0.0, 0
    while epoch < DIGITS_MAX_EPOCHS:
        epoch += 1
        permutation = order.permutation(len(train))
        for i in range(0, len(train), DIGITS_BATCH):
            zero_grad(params)
            loss.backward(train[permutation[i : i + DIGITS_BATCH]])
            optimizer.step()
        predictions = logits(data["X_test"]).argmax(axis=1)
        accuracy = float((predictions == data["y_test"]).mean())
        if accuracy >= DIGITS_TARGET:
            break
    return {
        "seconds": time.perf_counter() - start,
        "compile_seconds": compiled_at,
        "epochs": epoch,
        "accuracy": accuracy,
    }


def train_digits_torch(data: dict, seed: int, dtype: torch.dtype) -> dict:
    start = time.perf_counter()
    net = torch_mlp(MLP(64, [32, 10], activation="tanh", seed=seed), dtype, "tanh")
    optimizer = torch.optim.Adam(net.parameters(), lr=DIGITS_LR)
    X_train = torch.tensor(data["X_train"], dtype=dtype)
    y_train = torch.tensor(data["y_train"])
    X_test = torch.tensor(data["X_test"], dtype=dtype)
    y_test = torch.tensor(data["y_test"])
    order = np.random.default_rng(seed)
    accuracy, epoch = 0.0, 0
    while epoch < DIGITS_MAX_EPOCHS:
        epoch += 1
        permutation = torch.from_numpy(order.permutation(len(X_train)))
        for i in range(0, len(X_train), DIGITS_BATCH):
            index = permutation[i : i + DIGITS_BATCH]
            loss = torch.nn.functional.cross_entropy(net(X_train[index]), y_train[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            accuracy = float((net(X_test).argmax(dim=1) == y_test).double().mean())
        if accuracy >= DIGITS_TARGET:
            break
    return {"seconds": time.perf_counter() - start, "epochs": epoch, "accuracy": accuracy}


def digits(runs: int) -> dict:
    data = digits_data()
    results: dict[str, list[dict]] = {"compiled": [], "torch_f64": [], "torch_f32": []}
    for run in range(runs):  # alternating, a different seed each round
        results["compiled"].append(train_digits_ours(data, seed=run))
        results["torch_f64"].append(train_digits_torch(data, run, torch.float64))
        results["torch_f32"].append(train_digits_torch(data, run, torch.float32))
    summary = {}
    for name, rows in results.items():
        summary[name] = {
            "seconds": statistics.median(r["seconds"] for r in rows),
            "epochs": [r["epochs"] for r in rows],
            "accuracy": [round(r["accuracy"], 4) for r in rows],
            "reached": all(r["accuracy"] >= DIGITS_TARGET for r in rows),
        }
    summary["compiled"]["compile_seconds"] = statistics.median(
        r["compile_seconds"] for r in results["compiled"]
    )
    return summary


def eager_vs_micrograd(rounds: int) -> tuple[dict, dict]:
    """The eager moons step (``nn.MLP`` and engine-only) against micrograd's, default GC, in this
    process (torch imported: a bigger heap makes each full collection, most of micrograd's time,
    slower): isolated steps, and a training loop."""
    from bench_eager import eager_step_factory, micrograd_step_factory
    from common import nn_step_factory, training_loop

    contenders = {
        "micrograd": micrograd_step_factory(),
        "nn": nn_step_factory(),
        "eager": eager_step_factory(),
    }
    return alternate(contenders, rounds=rounds), training_loop(contenders, rounds=rounds)


def main() -> None:
    quick = "--quick" in sys.argv
    out: dict = {
        "torch": torch.__version__,
        "threads": THREADS,
        "numpy": np.__version__,
    }
    contenders, losses = moons_contenders()
    out["moons"] = {"times": alternate(contenders, rounds=9), "first_losses": losses}
    out["mnist"] = mnist_sized()
    out["digits"] = digits(runs=1 if quick else 3)
    out["moons_eager_gc"], out["moons_eager_loop"] = eager_vs_micrograd(rounds=3 if quick else 5)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
