"""Data sets and batching. The small 2-D sets are generated with numpy and need no network.

Every function returns ``(X, y)``: ``X`` a float array (samples, features), ``y`` an int array
of class labels 0, 1, ... Pass a ``seed`` for the same data every time.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import numbers
import os
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

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
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, numbers.Integral)
        or batch_size < 1
    ):
        raise ValueError(f"batches: batch_size must be an int >= 1, got {batch_size!r}")
    batch_size = int(batch_size)
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


# --- MNIST and Fashion-MNIST: four IDX files each ----------------------------------------

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
FASHION_MNIST_MIRRORS = (
    "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)
# sha256 of the uncompressed IDX files: the same for the publisher's archives (which match the
# MD5s in Fashion-MNIST's README) and for Debian's re-compressed copies, whose .gz bytes differ.
FASHION_MNIST_CONTENT = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
# Debian's package dataset-fashion-mnist (apt-get install dataset-fashion-mnist) puts them here.
FASHION_MNIST_SYSTEM_DIRS = (Path("/usr/share/datasets/fashion-mnist"),)

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MAX_IDX_DIMS = 4  # MNIST's images have 3 (count, rows, columns), its labels 1
MAX_IDX_BYTES = 1 << 30  # read_idx refuses a header promising more (MNIST's largest: 47 MB)


def _read_up_to(file: BinaryIO, size: int, chunk: int = 1 << 20) -> bytearray:
    """At most ``size`` bytes, read in chunks: memory grows only with what the file holds."""
    data = bytearray()
    while len(data) < size:
        block = file.read(min(chunk, size - len(data)))
        if not block:
            break
        data += block
    return data


def read_idx(
    path: str | os.PathLike[str], sha256: str | None = None, max_bytes: int | None = None
) -> np.ndarray:
    """Read an IDX file (raw, or gzipped when the name ends in .gz).

    Layout: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions d,
    then d big-endian uint32 sizes, then the data. Only what the header promises is read (a
    file that inflates to more is refused without inflating the rest), a header promising more
    than ``max_bytes`` (default :data:`MAX_IDX_BYTES`) is refused before reading, and with
    ``sha256`` the uncompressed content must have that digest. A short, padded or malformed
    file is a ValueError.
    """
    path = Path(path)
    max_bytes = MAX_IDX_BYTES if max_bytes is None else max_bytes
    opener: Any = gzip.open if path.suffix == ".gz" else open
    digest = hashlib.sha256()
    try:
        with opener(path, "rb") as file:
            head = _read_up_to(file, 4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _IDX_TYPES:
                raise ValueError(
                    f"{path}: not an IDX file (bad magic number {head.hex() or 'empty'})"
                )
            ndim = head[3]
            if not 1 <= ndim <= MAX_IDX_DIMS:
                raise ValueError(
                    f"{path}: IDX header declares {ndim} dimensions; read_idx reads 1 to "
                    f"{MAX_IDX_DIMS} (images, labels): the header is damaged"
                )
            dims = _read_up_to(file, 4 * ndim)
            if len(dims) < 4 * ndim:
                raise ValueError(
                    f"{path}: truncated IDX header ({4 + len(dims)} of {4 + 4 * ndim} bytes)"
                )
            shape = tuple(int.from_bytes(dims[4 * i : 4 * i + 4], "big") for i in range(ndim))
            dtype = np.dtype(_IDX_TYPES[head[2]])
            needed = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
            if needed > max_bytes:
                raise ValueError(
                    f"{path}: IDX header claims shape {shape}, {needed:,} bytes of data, more "
                    f"than read_idx accepts (max_bytes={max_bytes:,})"
                )
            body = _read_up_to(file, needed)
            if len(body) < needed:
                raise ValueError(
                    f"{path}: truncated IDX data: shape {shape} needs {needed} bytes, "
                    f"found {len(body)}"
                )
            if file.read(1):
                raise ValueError(
                    f"{path}: padded IDX data: shape {shape} needs {needed} bytes and the file "
                    f"holds more (only what the header promises is read)"
                )
    except (OSError, EOFError, zlib.error) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ValueError(f"{path}: cannot read it as an IDX file ({error})") from None
    if sha256 is not None:
        for part in (head, dims, body):
            digest.update(part)
        if digest.hexdigest() != sha256:
            raise ValueError(
                f"{path}: content sha256 {digest.hexdigest()} is not the published "
                f"{sha256}: the file is damaged"
            )
    return np.frombuffer(body, dtype=dtype).reshape(shape)


def default_cache_dir() -> Path:
    """``$SEEGRAD_DATA`` if set, else ``~/.cache/seegrad``."""
    return Path(os.environ.get("SEEGRAD_DATA") or Path.home() / ".cache" / "seegrad")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(
    url: str,
    target: Path,
    sha256: str | None,
    timeout: float = 30.0,
    content_sha256: str | None = None,
) -> Path:
    """Fetch ``url`` into a temporary file beside ``target``, check its sha256 (of the file as
    fetched, and/or ``content_sha256`` of the IDX inside), then rename it into place:
    ``target`` is either absent or complete and verified."""
    if sha256 is None and content_sha256 is None:
        raise ValueError(f"download of {url}: no checksum to verify it against")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix
    )
    try:
        with os.fdopen(handle, "wb") as file, urllib.request.urlopen(url, timeout=timeout) as r:
            for block in iter(lambda: r.read(1 << 16), b""):
                file.write(block)
        if sha256 is not None and (actual := _sha256(Path(temporary))) != sha256:
            raise ValueError(
                f"download of {url} is corrupt: sha256 {actual}, expected {sha256}; "
                f"nothing was saved, try again"
            )
        if content_sha256 is not None:
            read_idx(temporary, sha256=content_sha256)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


@dataclass(frozen=True)
class _IdxSet:
    """A data set in MNIST's layout: where its files come from and how to check them."""

    who: str  # the loader, for messages
    folder: str  # its folder in the cache
    mirrors: tuple[str, ...]
    archives: dict[str, str]  # gzipped name: sha256 of the file as distributed
    contents: dict[str, str]  # IDX name: sha256 of the uncompressed file
    system_dirs: tuple[Path, ...] = ()
    install_hints: tuple[str, ...] = ()


def _names(base: str) -> tuple[str, ...]:
    """The names a file goes by: gzipped, unzipped, and unzipped with a dot before ``idx``."""
    return f"{base}.gz", base, base.replace("-idx", ".idx", 1)


def _find(folder: Path, base: str) -> Path | None:
    return next((folder / n for n in _names(base) if (folder / n).is_file()), None)


def _verified(dataset: _IdxSet, file: Path, base: str, remedy: str) -> tuple[Path, str | None]:
    """Check a cached or system file against its published sha256 (every load); return it with
    the content sha256 that :func:`read_idx` checks while reading."""
    expected = dataset.archives.get(file.name)
    if expected is not None and (actual := _sha256(file)) != expected:
        raise ValueError(
            f"{dataset.who}: {file} is damaged: sha256 {actual}, expected {expected}; {remedy}"
        )
    return file, dataset.contents.get(base)


def _idx_file(dataset: _IdxSet, base: str, path: Path | None) -> tuple[Path, str | None]:
    """The file for ``base`` and the content sha256 to check it against (None for a folder the
    user chose, which may hold any IDX data: its content is still checked)."""
    if path is not None:
        found = _find(path, base)
        if found is None:
            gz, *others = _names(base)
            raise FileNotFoundError(
                f"{dataset.who}: neither {gz} nor its unzipped form ({' or '.join(others)}) "
                f"is in {path}"
            )
        return found, None
    for folder in dataset.system_dirs:
        if (found := _find(folder, base)) is not None:
            return _verified(dataset, found, base, f"reinstall the package that put it in {folder}")
    cache = default_cache_dir() / dataset.folder
    if (found := cache / f"{base}.gz").is_file():
        return _verified(dataset, found, base, f"delete it and {dataset.who} downloads it again")
    errors = []
    for mirror in dataset.mirrors:
        try:
            fetched = download(
                mirror + f"{base}.gz",
                cache / f"{base}.gz",
                dataset.archives.get(f"{base}.gz"),
                content_sha256=dataset.contents.get(base),
            )
            return fetched, dataset.contents.get(base)
        except (urllib.error.URLError, OSError, ValueError) as error:
            errors.append(f"{mirror}: {getattr(error, 'reason', error)}")
    raise OSError(
        f"{dataset.who}: could not download {base}.gz (offline?). Tried:\n  "
        + "\n  ".join(errors)
        + f"\nPut the four files in {cache} or pass {dataset.who}(path=folder)."
        + "".join(f"\nOr install them: {how}." for how in dataset.install_hints)
    )


def _check_images_and_labels(
    who: str, images: np.ndarray, labels: np.ndarray, files: tuple[Path, Path]
) -> None:
    """What makes a pair of IDX arrays an MNIST-like data set: matching counts, pixels in
    [0, 255] (no NaN), labels the digits 0-9."""
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"{who}: images {images.shape} and labels {labels.shape} do not match "
            f"({files[0]}, {files[1]})"
        )
    if images.dtype.kind == "f":
        bad = ~np.isfinite(images) | (images < 0) | (images > 255)
    else:
        bad = (images < 0) | (images > 255)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{who}: {files[0]}: pixel {index} is {images[index]}; pixels must be in [0, 255]"
        )
    wrong = (labels < 0) | (labels > 9) | (labels != np.round(labels))
    if wrong.any():
        index = int(np.flatnonzero(wrong)[0])
        raise ValueError(
            f"{who}: {files[1]}: label {index} is {labels[index]}; labels must be 0 to 9"
        )


def _load_idx_set(
    dataset: _IdxSet, path: str | os.PathLike[str] | None, limit: int | None, train: bool
) -> Arrays:
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 1
    ):
        raise ValueError(f"{dataset.who}: limit must be an int >= 1, got {limit!r:.40}")
    prefix = "train" if train else "t10k"
    folder = None if path is None else Path(path)
    image_file, image_sum = _idx_file(dataset, f"{prefix}-images-idx3-ubyte", folder)
    label_file, label_sum = _idx_file(dataset, f"{prefix}-labels-idx1-ubyte", folder)
    images = read_idx(image_file, sha256=image_sum)
    labels = read_idx(label_file, sha256=label_sum)
    _check_images_and_labels(dataset.who, images, labels, (image_file, label_file))
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return images.reshape(len(images), -1).astype(float) / 255.0, labels.astype(int)


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    train: bool = True,
    mirrors: tuple[str, ...] = MNIST_MIRRORS,
) -> Arrays:
    """MNIST's 28x28 handwritten digits: X (n, 784) scaled to [0, 1], y the digit 0-9.

    ``path``: a folder with the IDX files (``train-images-idx3-ubyte.gz``, or unzipped as
    ``train-images-idx3-ubyte`` or ``train-images.idx3-ubyte``); by default they are downloaded
    on first use into ``default_cache_dir()/mnist``, and checked against their sha256 then and
    on every later load. ``train``: the 60,000 training images, or the 10,000 test images.
    ``limit``: the first n. Pixels outside [0, 255] or labels outside 0-9 are a ValueError.
    """
    dataset = _IdxSet("load_mnist", "mnist", mirrors, MNIST_FILES, {})
    return _load_idx_set(dataset, path, limit, train)


def load_fashion_mnist(
    path: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    train: bool = True,
    mirrors: tuple[str, ...] = FASHION_MNIST_MIRRORS,
) -> Arrays:
    """Zalando's Fashion-MNIST: 28x28 pictures of clothes, X (n, 784) in [0, 1], y the class
    0-9 (T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot).

    Without ``path``: Debian's files when the package ``dataset-fashion-mnist`` is installed
    (``/usr/share/datasets/fashion-mnist``), else a download on first use into
    ``default_cache_dir()/fashion-mnist``; either way the content is checked against its
    published sha256 on every load. ``path``, ``limit`` and ``train`` as in :func:`load_mnist`.
    """
    dataset = _IdxSet(
        "load_fashion_mnist",
        "fashion-mnist",
        mirrors,
        {},
        FASHION_MNIST_CONTENT,
        FASHION_MNIST_SYSTEM_DIRS,
        ("apt-get install dataset-fashion-mnist (Debian, Ubuntu)",),
    )
    return _load_idx_set(dataset, path, limit, train)
