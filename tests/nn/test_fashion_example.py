"""examples/fashion.py runs end to end (on a small synthetic set in Fashion-MNIST's layout),
and its PyTorch loop is the same computation as nn.fit: same weights, optimizer and batches."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).parents[2] / "examples" / "fashion.py"


def _idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _synthetic_set(folder: Path, prefix: str, count: int, seed: int) -> None:
    """Class k lights up row band k of the 28x28 picture, plus noise: easy to learn."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 10
    images = rng.integers(0, 60, (count, 28, 28))
    for i, label in enumerate(labels):
        images[i, 2 * label + 4 : 2 * label + 6, :] = 250
    (folder / f"{prefix}-images-idx3-ubyte").write_bytes(_idx(images))
    (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(_idx(labels))


@pytest.fixture(scope="module")
def fashion():
    spec = importlib.util.spec_from_file_location("fashion_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_trains_and_matches_pytorch(tmp_path, fashion):
    torch = pytest.importorskip("torch", reason="the comparison needs PyTorch")
    del torch
    _synthetic_set(tmp_path, "train", 300, seed=0)
    _synthetic_set(tmp_path, "t10k", 100, seed=1)
    rows = fashion.main(["--data", str(tmp_path), "--epochs", "2", "--batch-size", "32",
                         "--hidden", "8", "--lr", "0.01"])  # fmt: skip
    (ours, _, _, our_accuracy), (theirs, _, _, their_accuracy) = rows
    assert ours == "nn.fit(compiled=True)" and theirs.startswith("PyTorch")
    assert our_accuracy > 0.5
    assert our_accuracy == their_accuracy  # the same computation, to rounding


def test_the_example_without_torch(tmp_path, fashion):
    _synthetic_set(tmp_path, "train", 100, seed=0)
    _synthetic_set(tmp_path, "t10k", 50, seed=1)
    rows = fashion.main(["--data", str(tmp_path), "--epochs", "1", "--no-torch", "--hidden", "4"])
    assert [name for name, *_ in rows] == ["nn.fit(compiled=True)"]
