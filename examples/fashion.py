"""Fashion-MNIST on the notes' network: 784 pixels -> 16 -> 16 -> 10 classes, trained with
``nn.fit(compiled=True)`` on all 60,000 training images and tested on the 10,000 test images,
beside the same loop in PyTorch (float64, one thread, the same initial weights, the same Adam,
the same batches in the same order).

    python examples/fashion.py                      # 784-16-16-10, 10 epochs
    python examples/fashion.py --hidden 256 128     # a wider MLP
    python examples/fashion.py --no-torch --epochs 3

The data come from Debian's package (``apt-get install dataset-fashion-mnist``) when installed,
else from a checked download (``nn.data.load_fashion_mnist``).
"""

from __future__ import annotations

import os

if __name__ == "__main__":  # run as a script: one thread for NumPy's matrix products too, as
    for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_variable, "1")  # for PyTorch (set before NumPy is imported)

import argparse
import time
from typing import Any

import numpy as np

import autograd
import nn
from nn.data import batches, load_fashion_mnist


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=[16, 16],
                        help="hidden layer sizes (default: 16 16, the notes' network)")  # fmt: skip
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate")
    parser.add_argument("--limit", type=int, default=None, help="train on the first n images")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    parser.add_argument("--data", default=None, help="a folder with the IDX files (default: "
                        "Debian's, else a checked download)")  # fmt: skip
    return parser.parse_args(argv)


def clock() -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): CPU time is steadier on a busy machine."""
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    now = clock()
    return now[0] - start[0], now[1] - start[1]


def ours(
    model: nn.MLP, images: np.ndarray, labels: np.ndarray, args: argparse.Namespace
) -> tuple[float, float]:
    """Train with nn.fit(compiled=True) (tracing and compiling included); return the time."""
    optimizer = nn.Adam(model.parameters(), lr=args.lr)
    start = clock()
    nn.fit(model, images, labels, loss="cross_entropy", optimizer=optimizer, epochs=args.epochs,
           batch_size=args.batch_size, seed=0, compiled=True)  # fmt: skip
    return since(start)


def our_accuracy(model: nn.MLP, images: np.ndarray, labels: np.ndarray) -> float:
    """Test accuracy with the model's forward pass compiled (one batched program)."""
    forward = autograd.compile(lambda row: model(row), images.shape[1])
    return float(np.mean(np.asarray(forward(images)).argmax(axis=1) == labels))


def theirs(
    network: Any, images: np.ndarray, labels: np.ndarray, args: argparse.Namespace
) -> tuple[float, float]:
    """The same loop in PyTorch float64 on one thread, from the same initial weights (``network``
    is ``model.to_torch()`` before training), visiting the same batches; returns the seconds."""
    import torch

    torch.set_num_threads(1)
    optimizer = torch.optim.Adam(network.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    start = clock()
    for epoch in range(args.epochs):
        for X_batch, y_batch in batches(images, labels, args.batch_size, seed=[0, epoch]):
            optimizer.zero_grad()
            loss = loss_fn(network(torch.from_numpy(X_batch)), torch.from_numpy(y_batch))
            loss.backward()
            optimizer.step()
    return since(start)


def their_accuracy(network: Any, images: np.ndarray, labels: np.ndarray) -> float:
    import torch

    with torch.no_grad():
        return float((network(torch.from_numpy(images)).argmax(dim=1).numpy() == labels).mean())


def main(argv: list[str] | None = None) -> list[tuple[str, float, float, float]]:
    """Train and test both; print and return the rows (name, wall s, CPU s, test accuracy)."""
    args = parse(argv)
    X, y = load_fashion_mnist(args.data, limit=args.limit)
    X_test, y_test = load_fashion_mnist(args.data, train=False)
    sizes = [784, *args.hidden, 10]
    shape = "-".join(map(str, sizes))
    model = nn.MLP(784, [*args.hidden, 10], activation="relu", seed=0)
    print(f"Fashion-MNIST: {len(X):,} training and {len(X_test):,} test images; an MLP "
          f"{shape} ({len(model.parameters()):,} parameters), relu, cross-entropy, "
          f"Adam(lr={args.lr}), batches of {args.batch_size}, {args.epochs} epochs")  # fmt: skip
    network = None if args.no_torch else model.to_torch()  # the same initial weights

    times = ours(model, X, y, args)
    rows = [("nn.fit(compiled=True)", *times, our_accuracy(model, X_test, y_test))]
    if network is not None:
        times = theirs(network, X, y, args)
        rows.append(("PyTorch f64, 1 thread", *times, their_accuracy(network, X_test, y_test)))

    print(f"\n{'':24} {'CPU time':>9} {'per epoch':>10} {'wall time':>10} {'test accuracy':>14}")
    for name, wall, cpu, right in rows:
        print(f"{name:24} {cpu:8.1f}s {cpu / args.epochs:9.2f}s {wall:9.1f}s {right:14.2%}")
    if len(rows) == 2:
        print(f"ours takes {rows[0][2] / rows[1][2]:.2f}x PyTorch's CPU time")
    return rows


if __name__ == "__main__":
    main()
