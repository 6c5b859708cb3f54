"""The 8x8 handwritten digits: an MLP 64-32-10 trained with cross-entropy on 75 % of the 1,797
images, tested on the rest. For a "2", the output neuron for 2 should fire and the others not.

    .venv/bin/python examples/digits.py [--epochs 15] [--eager]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nn
from nn.data import load_digits, train_test_split

OUTPUT = Path("demo-output")


def main(epochs: int = 15, compiled: bool = True) -> None:
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, seed=0)
    model = nn.MLP(64, [32, 10], activation="tanh", seed=0)
    print(f"{model}: {len(model.parameters())} parameters; {len(X_train)} training images")
    start = time.perf_counter()
    nn.fit(
        model,
        X_train,
        y_train,
        loss="cross_entropy",
        optimizer=nn.Adam(model.parameters(), lr=0.01),
        epochs=epochs,
        batch_size=32,
        compiled=compiled,
    )
    seconds = time.perf_counter() - start
    test = nn.evaluate(model, X_test, y_test)
    engine = "autograd.compile" if compiled else "the eager engine"
    print(f"trained {epochs} epochs in {seconds:.1f} s with {engine}")
    print(f"test accuracy: {test['accuracy']:.1%} on {len(X_test)} held-out images")
    try:
        import matplotlib

        matplotlib.use("Agg")
        from nn import plots
    except ImportError:
        return
    OUTPUT.mkdir(exist_ok=True)
    plots.plot_digit_predictions(model, X_test[:16], y_test[:16], OUTPUT / "digits.png")
    print(f"predictions drawn in {OUTPUT / 'digits.png'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument(
        "--eager", action="store_true", help="train Value by Value instead of autograd.compile"
    )
    arguments = parser.parse_args()
    main(arguments.epochs, compiled=not arguments.eager)
