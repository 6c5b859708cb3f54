"""nn.data: the generated 2-D sets, splitting, batching, digits, and the MNIST IDX reader."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import sys

import numpy as np
import pytest

from nn import data
from tests.conftest import need


@pytest.mark.parametrize(
    ("make", "classes"),
    [
        (lambda seed: data.make_moons(101, 0.1, seed=seed), 2),
        (lambda seed: data.make_circles(100, seed=seed), 2),
        (lambda seed: data.make_spirals(90, classes=3, seed=seed), 3),
        (lambda seed: data.make_blobs(90, centers=3, seed=seed), 3),
    ],
)
def test_generated_sets_are_seeded_and_balanced(make, classes):
    X, y = make(0)
    X_again, y_again = make(0)
    assert X.shape == (len(y), 2) and X.dtype == float and y.dtype.kind == "i"
    assert np.array_equal(X, X_again) and np.array_equal(y, y_again)
    assert not np.array_equal(make(1)[0], X)
    counts = np.bincount(y)
    assert len(counts) == classes and counts.max() - counts.min() <= 1


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = data.make_moons(200, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert (upper[:, 1] >= -1e-12).all() and (lower[:, 1] <= 0.5 + 1e-12).all()


def test_train_test_split_partitions_the_samples():
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_fraction=0.25, seed=3)
    assert len(X_test) == 5 and len(X_train) == 15
    assert sorted(np.concatenate([y_train, y_test])) == list(range(20))
    assert np.array_equal(X_train[:, 0], 2 * y_train)  # rows stay with their labels
    with pytest.raises(ValueError, match=re.escape("test_fraction must be in (0, 1), got 1.5")):
        data.train_test_split(X, y, test_fraction=1.5)
    with pytest.raises(ValueError, match="train_test_split: 20 samples but 3 labels"):
        data.train_test_split(X, y[:3])


def test_batches_cover_every_sample_once_in_a_seeded_order():
    X, y = np.arange(10.0)[:, None], np.arange(10)
    chunks = list(data.batches(X, y, 4, seed=1))
    assert [len(b) for b, _ in chunks] == [4, 4, 2]
    seen = np.concatenate([labels for _, labels in chunks])
    assert sorted(seen) == list(range(10)) and list(seen) != list(range(10))
    assert [list(lbl) for _, lbl in data.batches(X, y, 4, seed=1)] == [
        list(lbl) for _, lbl in chunks
    ]
    ordered = np.concatenate([lbl for _, lbl in data.batches(X, y, 3, shuffle=False)])
    assert list(ordered) == list(range(10))
    with pytest.raises(ValueError, match="batch_size must be an int >= 1, got 0"):
        next(data.batches(X, y, 0))


def test_load_digits():
    pytest.importorskip("sklearn", reason="load_digits needs the data extra")
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and 0.0 <= X.min() and X.max() == 1.0
    assert set(y) == set(range(10))


def test_load_digits_without_sklearn_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=re.escape("pip install 'seegrad[data]'")):
        data.load_digits()


# --- MNIST: small IDX files written here ------------------------------------------------


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def mnist_arrays():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    labels = np.array([7, 2, 1, 0, 4], dtype=np.uint8)
    return images, labels


def write_mnist(folder, images, labels, prefix="train", gz=True):
    for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
        name = f"{prefix}-{kind}-ubyte"
        raw = idx_bytes(array)
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)


@pytest.mark.parametrize("gz", [True, False])
def test_load_mnist_from_a_folder(tmp_path, mnist_arrays, gz):
    images, labels = mnist_arrays
    write_mnist(tmp_path, images, labels, gz=gz)
    X, y = data.load_mnist(tmp_path)
    assert X.shape == (5, 784) and list(y) == [7, 2, 1, 0, 4]
    assert np.allclose(X[1], images[1].reshape(-1) / 255.0)
    X3, y3 = data.load_mnist(tmp_path, limit=3)
    assert X3.shape == (3, 784) and list(y3) == [7, 2, 1]


def test_load_mnist_test_split(tmp_path, mnist_arrays):
    images, labels = mnist_arrays
    write_mnist(tmp_path, images[:2], labels[:2], prefix="t10k")
    X, y = data.load_mnist(tmp_path, train=False)
    assert X.shape == (2, 784) and list(y) == [7, 2]


def test_truncated_idx_file_is_a_clear_error(tmp_path, mnist_arrays):
    images, labels = mnist_arrays
    write_mnist(tmp_path, images, labels, gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    expected = "truncated IDX data: shape (5, 28, 28) needs 3920 bytes, found 3820"
    with pytest.raises(ValueError, match=re.escape(expected)):
        data.load_mnist(tmp_path)


def test_truncated_gzip_and_header(tmp_path, mnist_arrays):
    images, _ = mnist_arrays
    cut = tmp_path / "cut.gz"
    cut.write_bytes(gzip.compress(idx_bytes(images))[:200])
    with pytest.raises(ValueError, match="cannot read it as an IDX file"):
        data.read_idx(cut)
    short = tmp_path / "short"
    short.write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(ValueError, match=re.escape("truncated IDX header (6 of 16 bytes)")):
        data.read_idx(short)
    bad = tmp_path / "bad"
    bad.write_bytes(b"PK\x03\x04rest")
    with pytest.raises(ValueError, match="not an IDX file \\(bad magic number 504b0304\\)"):
        data.read_idx(bad)


def test_mismatched_images_and_labels(tmp_path, mnist_arrays):
    images, labels = mnist_arrays
    write_mnist(tmp_path, images, labels[:4])
    with pytest.raises(ValueError, match=re.escape("images (5, 28, 28) and labels (4,)")):
        data.load_mnist(tmp_path)


def test_missing_file_in_a_given_folder(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=re.escape("neither train-images-idx3-ubyte.gz nor")
    ):
        data.load_mnist(tmp_path)


def test_bad_limit():
    with pytest.raises(ValueError, match="limit must be an int >= 1, got 0"):
        data.load_mnist(limit=0)


def _serve(tmp_path, mnist_arrays, monkeypatch):
    """A local 'mirror' (file:// URLs) holding the gzipped files, their sha256 registered."""
    images, labels = mnist_arrays
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    write_mnist(mirror, images, labels)
    sums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in mirror.iterdir()}
    monkeypatch.setattr(data, "MNIST_FILES", {**data.MNIST_FILES, **sums})
    cache = tmp_path / "cache"
    monkeypatch.setenv("SEEGRAD_DATA", str(cache))
    return mirror.as_uri() + "/", cache


def test_download_on_first_use_verifies_and_caches(tmp_path, mnist_arrays, monkeypatch):
    url, cache = _serve(tmp_path, mnist_arrays, monkeypatch)
    X, y = data.load_mnist(mirrors=(url,))
    assert X.shape == (5, 784) and list(y) == [7, 2, 1, 0, 4]
    assert sorted(os.listdir(cache / "mnist")) == [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]
    X_cached, _ = data.load_mnist(mirrors=())  # no mirror needed any more
    assert np.array_equal(X, X_cached)


def test_download_with_a_wrong_checksum_saves_nothing(tmp_path, mnist_arrays, monkeypatch):
    url, cache = _serve(tmp_path, mnist_arrays, monkeypatch)
    monkeypatch.setitem(data.MNIST_FILES, "train-images-idx3-ubyte.gz", "0" * 64)
    with pytest.raises(OSError, match=r"is corrupt: sha256 [0-9a-f]{64}, expected 0{64}"):
        data.load_mnist(mirrors=(url,))
    assert os.listdir(cache / "mnist") == []


def test_offline_error_names_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("SEEGRAD_DATA", str(tmp_path / "cache"))
    unreachable = (tmp_path / "no-such-mirror").as_uri() + "/"
    with pytest.raises(OSError) as error:
        data.load_mnist(mirrors=(unreachable,))
    message = str(error.value)
    assert "could not download train-images-idx3-ubyte.gz (offline?)" in message
    assert "no-such-mirror" in message and "load_mnist(path=folder)" in message


def test_load_mnist_reads_uncompressed_names_with_a_dot(tmp_path, mnist_arrays):
    images, labels = mnist_arrays
    for kind, array in (("images.idx3", images), ("labels.idx1", labels)):
        (tmp_path / f"train-{kind}-ubyte").write_bytes(idx_bytes(array))
    X, y = data.load_mnist(tmp_path)
    assert X.shape == (5, 784) and list(y) == [7, 2, 1, 0, 4]
    X, y = data.load_fashion_mnist(tmp_path)
    assert X.shape == (5, 784) and list(y) == [7, 2, 1, 0, 4]


def _serve_fashion(tmp_path, mnist_arrays, monkeypatch):
    """No system copy; a local mirror whose files' content sha256 are registered."""
    images, labels = mnist_arrays
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    write_mnist(mirror, images, labels)
    sums = {
        p.name.removesuffix(".gz"): hashlib.sha256(gzip.decompress(p.read_bytes())).hexdigest()
        for p in mirror.iterdir()
    }
    monkeypatch.setattr(data, "FASHION_MNIST_CONTENT", sums)
    monkeypatch.setattr(data, "FASHION_MNIST_SYSTEM_DIRS", (tmp_path / "not-installed",))
    monkeypatch.setenv("SEEGRAD_DATA", str(tmp_path / "cache"))
    return mirror.as_uri() + "/", tmp_path / "cache" / "fashion-mnist"


def test_fashion_mnist_downloads_checks_content_and_caches(tmp_path, mnist_arrays, monkeypatch):
    url, cache = _serve_fashion(tmp_path, mnist_arrays, monkeypatch)
    X, y = data.load_fashion_mnist(mirrors=(url,))
    assert X.shape == (5, 784) and list(y) == [7, 2, 1, 0, 4]
    assert sorted(os.listdir(cache)) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    X_cached, _ = data.load_fashion_mnist(mirrors=())
    assert np.array_equal(X, X_cached)


def test_fashion_mnist_download_with_other_content_saves_nothing(
    tmp_path, mnist_arrays, monkeypatch
):
    url, cache = _serve_fashion(tmp_path, mnist_arrays, monkeypatch)
    monkeypatch.setitem(data.FASHION_MNIST_CONTENT, "train-images-idx3-ubyte", "0" * 64)
    with pytest.raises(OSError, match=r"content sha256 [0-9a-f]{64} is not the published 0{64}"):
        data.load_fashion_mnist(mirrors=(url,))
    assert os.listdir(cache) == []


def test_fashion_mnist_offline_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "FASHION_MNIST_SYSTEM_DIRS", (tmp_path / "not-installed",))
    monkeypatch.setenv("SEEGRAD_DATA", str(tmp_path / "cache"))
    with pytest.raises(OSError) as error:
        data.load_fashion_mnist(mirrors=((tmp_path / "no-mirror").as_uri() + "/",))
    assert "load_fashion_mnist: could not download train-images-idx3-ubyte.gz" in str(error.value)
    assert "apt-get install dataset-fashion-mnist" in str(error.value)


@pytest.mark.parametrize(
    ("train", "count", "labels_sha256", "pixels_sha256"),
    [
        (True, 60_000, "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
         "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012"),
        (False, 10_000, "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
         "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a"),
    ],
)  # fmt: skip
def test_full_size_fashion_mnist_from_debian(train, count, labels_sha256, pixels_sha256):
    need(
        any((folder / "train-images-idx3-ubyte.gz").is_file()
            for folder in data.FASHION_MNIST_SYSTEM_DIRS),
        "Debian's Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist",
    )  # fmt: skip
    X, y = data.load_fashion_mnist(train=train)
    assert X.shape == (count, 784) and X.dtype == np.float64 and y.dtype.kind == "i"
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(np.bincount(y), [count // 10] * 10)  # balanced, labels 0-9
    assert hashlib.sha256(y.astype(np.uint8).tobytes()).hexdigest() == labels_sha256
    pixels = np.round(X * 255).astype(np.uint8).tobytes()
    assert hashlib.sha256(pixels).hexdigest() == pixels_sha256
