"""Data sets and batching. The small 2-D sets are generated with numpy and need no network.

Every function returns ``(X, y)``: ``X`` a float array (samples, features), ``y`` an int array
of class labels 0, 1, ... Pass a ``seed`` for the same data every time.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np

Arrays = tuple[np.ndarray, np.ndarray]


def _check_n(n: int, who: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"{who}: n must be an int >= 2, got {n!r}")


def make_moons(n: int = 200, noise: float = 0.1, seed: int | None = None) -> Arrays:
    """Two interleaving half circles: class 0 on top (centre (0, 0)), class 1 below
    (centre (1, 0.5)), plus Gaussian noise of standard deviation ``noise``."""
    _check_n(n, "make_moons")
    rng = np.random.default_rng(seed)
    n0 = n // 2
    angle = np.concatenate([np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n - n0)])
    y = np.concatenate([np.zeros(n0, dtype=int), np.ones(n - n0, dtype=int)])
    X = np.where(
        (y == 0)[:, None],
        np.stack([np.cos(angle), np.sin(angle)], axis=1),
        np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1),
    )
    X = X + rng.normal(0.0, noise, X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def make_circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int | None = None
) -> Arrays:
    """A circle of radius ``factor`` (class 1) inside one of radius 1 (class 0), plus noise."""
    _check_n(n, "make_circles")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor!r}")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 1, factor, 1.0)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    X = X + rng.normal(0.0, noise, X.shape)
    return X, y


def make_spirals(
    n: int = 300, classes: int = 3, noise: float = 0.2, seed: int | None = None
) -> Arrays:
    """``classes`` spiral arms winding out from the origin, one class per arm."""
    _check_n(n, "make_spirals")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    radius = rng.uniform(0.05, 1.0, n)
    angle = y * (2 * np.pi / classes) + 4.0 * radius + rng.normal(0.0, noise, n)
    X = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return X, y


def make_blobs(
    n: int = 200, centers: int = 3, spread: float = 0.5, seed: int | None = None
) -> Arrays:
    """``centers`` Gaussian clusters (standard deviation ``spread``) around random centres."""
    _check_n(n, "make_blobs")
    rng = np.random.default_rng(seed)
    middles = rng.uniform(-3.0, 3.0, (centers, 2))
    y = np.arange(n) % centers
    X = middles[y] + rng.normal(0.0, spread, (n, 2))
    return X, y


def train_test_split(
    X: np.ndarray, y: np.ndarray, test_fraction: float = 0.25, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle, then split: returns ``X_train, X_test, y_train, y_test``."""
    if len(X) != len(y):
        raise ValueError(f"train_test_split: {len(X)} samples but {len(y)} labels")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"train_test_split: test_fraction must be in (0, 1), got {test_fraction}")
    n_test = max(1, round(len(X) * test_fraction))
    if n_test >= len(X):
        raise ValueError(f"train_test_split: {len(X)} samples are too few to split")
    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def batches(
    X: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool = True, seed: int | None = None
) -> Iterator[Arrays]:
    """Consecutive ``(X_batch, y_batch)`` pairs covering every sample once (the last may be
    smaller); with ``shuffle`` the order is a permutation drawn from ``seed``."""
    if len(X) != len(y):
        raise ValueError(f"batches: {len(X)} samples but {len(y)} labels")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batches: batch_size must be an int >= 1, got {batch_size!r}")
    order = np.random.default_rng(seed).permutation(len(X)) if shuffle else np.arange(len(X))
    for start in range(0, len(X), batch_size):
        chosen = order[start : start + batch_size]
        yield X[chosen], y[chosen]


def load_digits() -> Arrays:
    """The 8x8 handwritten digits that ship with scikit-learn: 1,797 images, X scaled to
    [0, 1] (shape (1797, 64)), y the digit 0-9. Needs the ``data`` extra (scikit-learn)."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError(
            "nn.data.load_digits needs scikit-learn: pip install 'seegrad[data]' "
            "(or pip install scikit-learn)"
        ) from None
    digits = sklearn_digits()
    return digits.data.astype(float) / 16.0, digits.target.astype(int)


# --- MNIST -----------------------------------------------------------------------------------

MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
MNIST_FILES = {  # name: sha256 of the gzipped file as distributed
    "train-images-idx3-ubyte.gz": (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    ),
    "train-labels-idx1-ubyte.gz": (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
    ),
}
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (raw, or gzipped when the name ends in .gz).

    Layout: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions d,
    then d big-endian uint32 sizes, then the data. A short or malformed file is a ValueError.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as file:
            raw = file.read()
    except (OSError, EOFError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ValueError(f"{path}: cannot read it as an IDX file ({error})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"{path}: not an IDX file (bad magic number {raw[:4].hex() or 'empty'})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} of {header} bytes)")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"{path}: truncated or padded IDX data: shape {shape} needs {expected} bytes, "
            f"found {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def default_cache_dir() -> Path:
    """``$SEEGRAD_DATA`` if set, else ``~/.cache/seegrad``."""
    return Path(os.environ.get("SEEGRAD_DATA") or Path.home() / ".cache" / "seegrad")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, target: Path, sha256: str, timeout: float = 30.0) -> Path:
    """Fetch ``url`` into a temporary file beside ``target``, check its sha256, then rename it
    into place: ``target`` is either absent or complete and verified."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as file, urllib.request.urlopen(url, timeout=timeout) as r:
            for block in iter(lambda: r.read(1 << 16), b""):
                file.write(block)
        actual = _sha256(Path(temporary))
        if actual != sha256:
            raise ValueError(
                f"download of {url} is corrupt: sha256 {actual}, expected {sha256}; "
                f"nothing was saved, try again"
            )
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _mnist_file(name: str, path: Path | None, mirrors: tuple[str, ...]) -> Path:
    folder = path if path is not None else default_cache_dir() / "mnist"
    for candidate in (folder / name, folder / name.removesuffix(".gz")):
        if candidate.exists():
            return candidate
    if path is not None:
        raise FileNotFoundError(f"load_mnist: neither {name} nor its unzipped form is in {folder}")
    errors = []
    for mirror in mirrors:
        try:
            return download(mirror + name, folder / name, MNIST_FILES[name])
        except (urllib.error.URLError, OSError, ValueError) as error:
            errors.append(f"{mirror}: {getattr(error, 'reason', error)}")
    raise OSError(
        f"load_mnist: could not download {name} (offline?). Tried:\n  "
        + "\n  ".join(errors)
        + f"\nPut the four MNIST files in {folder} or pass load_mnist(path=folder)."
    )


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    train: bool = True,
    mirrors: tuple[str, ...] = MNIST_MIRRORS,
) -> Arrays:
    """MNIST's 28x28 handwritten digits: X (n, 784) scaled to [0, 1], y the digit 0-9.

    ``path``: a folder with the IDX files (gzipped or not); by default they are downloaded on
    first use into ``default_cache_dir()/mnist`` and checked against their sha256.
    ``train``: the 60,000 training images, or the 10,000 test images. ``limit``: the first n.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"load_mnist: limit must be an int >= 1, got {limit!r}")
    prefix = "train" if train else "t10k"
    folder = None if path is None else Path(path)
    images = read_idx(_mnist_file(f"{prefix}-images-idx3-ubyte.gz", folder, mirrors))
    labels = read_idx(_mnist_file(f"{prefix}-labels-idx1-ubyte.gz", folder, mirrors))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"load_mnist: images {images.shape} and labels {labels.shape} do not match"
        )
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return images.reshape(len(images), -1).astype(float) / 255.0, labels.astype(int)
