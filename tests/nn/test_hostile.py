"""Hostile input for nn's files, data and training, as an attacker would send it: wrong types,
non-finite numbers, sizes that lie, interrupts, kill -9 during a write, and hangs (each run
under a timeout). Every bad input must give a clear error naming the file and the key; nothing
may hang, allocate without bound, or change half-way.

The last test breaks a validation on purpose (a mutant) and checks that this suite notices.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Value
from nn import MLP, SGD, Adam, Layer, Neuron
from nn import data as nn_data
from nn.data import make_blobs, make_moons

ROOT = Path(__file__).parents[2]


@contextlib.contextmanager
def within(seconds: float):
    """Fail (TimeoutError) if the block runs longer than ``seconds``: a hang becomes an error."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("SIGALRM timeouts need the main thread")

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: it hangs")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def peak_memory_below(megabytes: float):
    tracemalloc.start()
    try:
        yield
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < megabytes * 2**20, f"peak {peak / 2**20:.1f} MB, allowed {megabytes} MB"


@pytest.fixture
def moons():
    return make_moons(40, seed=0)


# --- 4. nothing hangs, nothing allocates without bound ------------------------------------


@pytest.mark.parametrize("compiled", [False, True])
def test_fit_on_an_empty_data_set_is_a_value_error(compiled):
    model = MLP(2, [3, 1], seed=0)
    with within(10), pytest.raises(ValueError, match=re.escape("fit: no samples to train on")):
        nn.fit(model, np.zeros((0, 2)), np.zeros(0), loss="bce_logits", progress=False,
               compiled=compiled)  # fmt: skip


def _checkpoint(moons, tmp_path, **fit_options):
    X, y = moons
    path = tmp_path / "run.json"
    model = MLP(2, [4, 1], seed=0)
    nn.fit(model, X, y, loss="bce_logits", epochs=1, batch_size=16, checkpoint=path,
           progress=False, **fit_options)  # fmt: skip
    return path, json.loads(path.read_text())


def _resume(moons, path, model=None, optimizer=None):
    X, y = moons
    model = model or MLP(2, [4, 1], seed=1)
    return nn.fit(model, X, y, loss="bce_logits", epochs=3, batch_size=16, checkpoint=path,
                  resume=True, progress=False, optimizer=optimizer)  # fmt: skip


@pytest.mark.parametrize(
    ("position", "message"),
    [
        ({"batch": 99, "seen": 99 * 16}, "position 'batch' is 99, impossible: an epoch of 40 "
         "samples in batches of 16 has 3 batches"),
        ({"batch": 3, "seen": 48}, "position 'batch' is 3, impossible"),
        ({"batch": 1, "seen": 5}, "position 'seen' is 5, but 1 batches of 16 make 16"),
        ({"batch": 1, "seen": 16, "correct": 17}, "'correct' (17) exceeds 'seen' (16)"),
        ({"epoch": 2}, "history 'loss' has 1 entries but the position says 2 epochs are done"),
        ({"loss_sum": float("nan")}, "checkpoint position 'loss_sum' must be a finite number"),
        ({"epoch": True}, "position 'epoch' must be a count, got True"),
    ],
)  # fmt: skip
def test_resume_from_an_impossible_position_names_the_file(moons, tmp_path, position, message):
    path, content = _checkpoint(moons, tmp_path)
    content["position"].update(position)
    path.write_text(json.dumps(content))
    before = path.read_bytes()
    with within(20), pytest.raises(ValueError, match=re.escape(message)) as error:
        _resume(moons, path)
    assert str(path) in str(error.value)
    assert path.read_bytes() == before  # not rewritten


HEADER = {"format": "seegrad.nn", "version": 1, "class": "MLP"}


def test_load_of_a_small_file_claiming_a_huge_network_builds_nothing(tmp_path):
    for nin, nouts in ((2000, [2000, 1]), (10**9, [10**9] * 3)):
        path = tmp_path / "claim.json"
        config = {"nin": nin, "nouts": nouts}
        path.write_text(json.dumps({**HEADER, "config": config, "state": {}}))
        assert path.stat().st_size < 200
        started = time.process_time()
        with within(10), peak_memory_below(2), pytest.raises(ValueError) as error:
            nn.load(path)
        assert time.process_time() - started < 0.5
        assert str(path) in str(error.value) and "the state has 0" in str(error.value)


def test_load_with_many_neurons_but_weights_missing_is_bounded(tmp_path):
    """A config whose neurons fit the number of keys, but whose w lists are short."""
    path = tmp_path / "short.json"
    state = {f"layers.0.neurons.{j}.{p}": [0.0] for j in range(3) for p in "wb"}
    path.write_text(json.dumps({**HEADER, "config": {"nin": 10**9, "nouts": [3]}, "state": state}))
    with peak_memory_below(2), pytest.raises(ValueError, match="has 1 number"):
        nn.load(path)


def _idx_header(type_code: int, shape: tuple[int, ...]) -> bytes:
    return bytes([0, 0, type_code, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape)


def test_a_gzip_bomb_is_read_only_as_far_as_its_header_promises(tmp_path):
    """3 images in the header, 512 MiB once inflated (gzip members concatenate)."""
    images = _idx_header(0x08, (3, 28, 28)) + bytes(3 * 784)
    zeros = gzip.compress(bytes(1 << 20))
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(images) + zeros * 512)
    assert path.stat().st_size < 2 * 2**20
    with within(10), peak_memory_below(16), pytest.raises(ValueError) as error:
        nn_data.read_idx(path)
    assert "padded IDX data: shape (3, 28, 28) needs 2352 bytes" in str(error.value)
    assert str(path) in str(error.value)


def test_idx_dimensions_whose_product_overflows_fail_the_size_check(tmp_path):
    # 2**31 * 2**31 * 4 = 2**64: wraps to 0 in int64, so 0 bytes of data looked right
    path = tmp_path / "overflow"
    path.write_bytes(_idx_header(0x08, (2**31, 2**31, 4)))
    with peak_memory_below(2), pytest.raises(ValueError) as error:
        nn_data.read_idx(path)
    assert "claims shape (2147483648, 2147483648, 4), 18,446,744,073,709,551,616 bytes" in str(
        error.value
    )


def _write_set(folder: Path, images: np.ndarray, labels: np.ndarray, image_type=0x08):
    folder.mkdir(exist_ok=True)
    dtype = {0x08: np.uint8, 0x0D: ">f4"}[image_type]
    files = {
        "train-images-idx3-ubyte": _idx_header(image_type, images.shape)
        + images.astype(dtype).tobytes(),
        "train-labels-idx1-ubyte": _idx_header(0x08, labels.shape)
        + labels.astype(np.uint8).tobytes(),
    }
    for name, raw in files.items():
        (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
    return {name: hashlib.sha256(raw).hexdigest() for name, raw in files.items()}


@pytest.mark.parametrize(
    ("images", "labels", "image_type", "message"),
    [
        (np.zeros((2, 28, 28)), np.array([3, 10]), 0x08, "label 1 is 10; labels must be 0 to 9"),
        (np.full((2, 28, 28), np.nan), np.array([3, 1]), 0x0D, "pixel (0, 0, 0) is nan"),
        (np.full((2, 28, 28), -1.0), np.array([3, 1]), 0x0D, "pixels must be in [0, 255]"),
        (np.zeros((2, 28, 28)), np.array([3]), 0x08, "images (2, 28, 28) and labels (1,)"),
    ],
)
@pytest.mark.parametrize("loader", ["load_mnist", "load_fashion_mnist"])
def test_idx_content_that_is_not_a_data_set_is_refused(
    tmp_path, loader, images, labels, image_type, message
):
    _write_set(tmp_path, images, labels, image_type)
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        getattr(nn_data, loader)(tmp_path)
    assert str(tmp_path) in str(error.value)


def test_cached_mnist_is_verified_on_every_load(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    _write_set(mirror, np.zeros((2, 28, 28)), np.array([1, 2]))
    sums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in mirror.iterdir()}
    monkeypatch.setattr(nn_data, "MNIST_FILES", {**nn_data.MNIST_FILES, **sums})
    monkeypatch.setenv("SEEGRAD_DATA", str(tmp_path / "cache"))
    nn_data.load_mnist(mirrors=(mirror.as_uri() + "/",))
    cached = tmp_path / "cache" / "mnist" / "train-labels-idx1-ubyte.gz"
    raw = _idx_header(0x08, (2,)) + bytes([1, 7])  # a valid file, but not the one published
    cached.write_bytes(gzip.compress(raw))
    with pytest.raises(ValueError, match="is damaged: sha256") as error:
        nn_data.load_mnist(mirrors=())
    assert str(cached) in str(error.value) and "delete it" in str(error.value)


def test_system_fashion_mnist_content_is_verified_on_every_load(tmp_path, monkeypatch):
    system = tmp_path / "system"
    sums = _write_set(system, np.zeros((2, 28, 28)), np.array([1, 2]))
    monkeypatch.setattr(nn_data, "FASHION_MNIST_SYSTEM_DIRS", (system,))
    monkeypatch.setattr(nn_data, "FASHION_MNIST_CONTENT", sums)
    X, y = nn_data.load_fashion_mnist()
    assert X.shape == (2, 784) and list(y) == [1, 2]
    (system / "train-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(_idx_header(0x08, (2,)) + bytes([1, 7]))
    )
    with pytest.raises(ValueError, match=r"content sha256 [0-9a-f]{64} is not the published"):
        nn_data.load_fashion_mnist()


# --- 5. what is saved can be loaded; a bad file names the file and the key --------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_save_refuses_non_finite_weights_and_writes_nothing(tmp_path, bad):
    model = MLP(2, [2, 1], seed=0)
    model.layers[1].neurons[0].w[1].data = bad
    path = tmp_path / "model.json"
    with pytest.raises(ValueError, match=re.escape("state['layers.1.neurons.0.w'][1] is")):
        nn.save(model, path)
    assert os.listdir(tmp_path) == []


@contextlib.contextmanager
def umask(mask: int):
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_saved_files_respect_the_umask(tmp_path, mask, mode):
    with umask(mask):
        nn.save(MLP(2, [1], seed=0), tmp_path / "model.json")
    assert (tmp_path / "model.json").stat().st_mode & 0o777 == mode


def test_saving_over_a_file_keeps_its_mode(tmp_path, moons):
    path = tmp_path / "model.json"
    path.write_text("old")
    path.chmod(0o640)
    with umask(0o077):
        nn.save(MLP(2, [1], seed=0), path)
    assert path.stat().st_mode & 0o777 == 0o640
    X, y = moons
    checkpoint = tmp_path / "run.json"
    checkpoint.write_text("{}")
    checkpoint.chmod(0o604)
    nn.fit(MLP(2, [3, 1], seed=0), X, y, loss="bce_logits", epochs=1, checkpoint=checkpoint,
           progress=False)  # fmt: skip
    assert checkpoint.stat().st_mode & 0o777 == 0o604


def _model_file(**changes):
    data = json.loads(json.dumps(nn.io.model_to_dict(MLP(2, [2, 1], seed=0))))
    for key, value in changes.items():
        target = data
        *parents, last = key.split("/")
        for parent in parents:
            target = target[parent]
        target[last] = value
    return data


W = "layers.0.neurons.1.w"
PLACEHOLDER = 12345.678
# JSON literals put in place of the first weight of W, as text
HOSTILE_LITERALS = {
    "nan weight": "NaN",
    "infinite weight": "-Infinity",
    "1e400 weight": "1e400",
    "401-digit weight": "9" * 401,
    "5000-digit weight": "9" * 5000,
}
HOSTILE_DATA = {
    "bool weight": (_model_file(**{f"state/{W}": [True, 0.5]}), f"state['{W}'][0]"),
    "string weight": (_model_file(**{f"state/{W}": ["1.0", 0.5]}), f"state['{W}'][0]"),
    "null weight": (_model_file(**{f"state/{W}": [None, 0.5]}), f"state['{W}'][0]"),
    "nested weight": (_model_file(**{f"state/{W}": [[1.0], 0.5]}), f"state['{W}'][0]"),
    "weights not a list": (_model_file(**{f"state/{W}": 1.0}), f"state['{W}']"),
    "nin a string": (_model_file(**{"config/nin": "2"}), "config['nin']"),
    "nin zero": (_model_file(**{"config/nin": 0}), "config['nin']"),
    "nin true": (_model_file(**{"config/nin": True}), "config['nin']"),
    "nin a float": (_model_file(**{"config/nin": 2.0}), "config['nin']"),
    "a layer of 0": (_model_file(**{"config/nouts": [2, 0]}), "config['nouts'][1]"),
    "nouts a dict": (_model_file(**{"config/nouts": {"a": 1}}), "config['nouts']"),
    "unknown activation": (_model_file(**{"config/activation": ["swish"]}), "config['activation']"),
    "too many activations": (
        _model_file(**{"config/activation": ["tanh", "tanh"]}),
        "config['activation']",
    ),
    "output activation a list": (
        _model_file(**{"config/output_activation": ["linear"]}),
        "config['output_activation']",
    ),
    "extra config key": (_model_file(**{"config/seed": 3}), "config key 'seed'"),
    "version true": (_model_file(version=True), "unsupported version True"),
    "class a list": (_model_file(**{"class": ["MLP"]}), "unknown model class ['MLP']"),
    "state a list": (_model_file(state=[]), '"state"'),
    "top level a list": ([1, 2], '"format"'),
}


@pytest.mark.parametrize("case", list(HOSTILE_LITERALS) + list(HOSTILE_DATA))
def test_every_bad_model_file_is_a_value_error_naming_file_and_key(tmp_path, case):
    path = tmp_path / "bad.json"
    if case in HOSTILE_LITERALS:
        text = json.dumps(_model_file(**{f"state/{W}": [PLACEHOLDER, 0.5]}))
        path.write_text(text.replace(str(PLACEHOLDER), HOSTILE_LITERALS[case]))
        key = f"state['{W}'][0]"
    else:
        content, key = HOSTILE_DATA[case]
        path.write_text(json.dumps(content))
    with within(10), pytest.raises(ValueError) as error:
        nn.load(path)
    message = str(error.value)
    assert str(path) in message and key in message, message


@pytest.mark.parametrize("path", [3, None, 2.5, "a\x00b"])
def test_paths_of_the_wrong_type(tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    error = ValueError if isinstance(path, str) else TypeError  # str: "embedded null byte"
    with pytest.raises(error):
        nn.load(path)
    with pytest.raises(error):
        nn.save(MLP(2, [1], seed=0), path)
    assert os.listdir(tmp_path) == []


def test_loading_an_endless_file_is_refused_not_read(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        with within(5), pytest.raises(ValueError, match=re.escape(f"{path}: not a regular file")):
            nn.load(path)


def test_deeply_nested_json_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"format": "seegrad.nn", "state": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with within(10), pytest.raises(ValueError) as error:
        nn.load(path)
    assert str(path) in str(error.value) and 'under key "state"' in str(error.value)


@pytest.mark.parametrize("kind", [Neuron(3, seed=0), Layer(3, 2, seed=0)])
def test_neuron_and_layer_files_are_checked_the_same_way(tmp_path, kind):
    path = tmp_path / "m.json"
    nn.save(kind, path)
    content = json.loads(path.read_text())
    key = next(iter(content["state"]))
    content["state"][key][0] = "x"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match=re.escape(f"state[{key!r}][0] must be a finite number")):
        nn.load(path)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"m": [math.nan] + [0.0] * 16}, "state['m'][0]"),
        ({"v": [0.0] * 16 + [math.inf]}, "state['v'][16]"),
        ({"t": -1}, "Adam state 't' must be a step count >= 0, got -1"),
        ({"t": 1.5}, "Adam state 't' must be a step count >= 0, got 1.5"),
        ({"v": [-1.0] + [0.0] * 16}, "'v' (a running mean of squares) must be >= 0"),
    ],
)
def test_checkpoints_with_bad_optimizer_state_are_refused(moons, tmp_path, state, message):
    path, content = _checkpoint(moons, tmp_path)
    content["optimizer"]["state"].update(state)
    path.write_text(json.dumps(content))
    model = MLP(2, [4, 1], seed=1)
    optimizer = Adam(model.parameters(), lr=0.01)
    before = ([p.data for p in model.parameters()], optimizer.state_dict())
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        _resume(moons, path, model, optimizer)
    assert str(path) in str(error.value)
    assert ([p.data for p in model.parameters()], optimizer.state_dict()) == before


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"t": 5, "m": ["x", 0.0], "v": [0.0, 0.0]}, "Adam state 'm'[0] must be a finite number"),
        ({"t": 5, "m": [0.0, 0.0], "v": [0.0, math.nan]}, "Adam state 'v'[1] must be a finite"),
        ({"t": 5, "m": [0.0, True], "v": [0.0, 0.0]}, "Adam state 'm'[1] must be a finite"),
        ({"t": -1, "m": [0.0, 0.0], "v": [0.0, 0.0]}, "'t' must be a step count >= 0, got -1"),
        ({"t": 5, "m": [0.0, 0.0]}, "Adam state needs both 'm' and 'v'"),
    ],
)
def test_adam_load_state_dict_is_all_or_nothing(state, message):
    adam = Adam([Value(1.0), Value(2.0)], lr=0.1)
    before = adam.state_dict()
    with pytest.raises(ValueError, match=re.escape(message)):
        adam.load_state_dict(state)
    assert adam.state_dict() == before and adam.t == 0


def test_sgd_load_state_dict_refuses_non_finite_velocity():
    sgd = SGD([Value(1.0)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=re.escape("SGD state 'velocity'[0] must be a finite")):
        sgd.load_state_dict({"velocity": [math.nan]})
    assert sgd.velocity is None


# --- interrupts and kill -9 during writes ---------------------------------------------------


def test_an_interrupt_while_saving_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    nn.save(MLP(2, [2, 1], seed=0), path)
    before = path.read_bytes()

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        nn.save(MLP(2, [2, 1], seed=1), path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["model.json"]


WRITER = """
import sys
import nn
path = sys.argv[1]
models = [nn.MLP(40, [60, 60, 1], seed=s) for s in (0, 1)]
print("ready", flush=True)
i = 0
while True:
    nn.save(models[i % 2], path)
    i += 1
"""


def test_kill_9_during_saves_leaves_a_whole_model(tmp_path):
    """A process saving in a loop is killed at random moments: the file is always one of the
    two models, whole."""
    path = tmp_path / "model.json"
    expected = [MLP(40, [60, 60, 1], seed=s).state_dict() for s in (0, 1)]
    rng = np.random.default_rng(0)
    for _ in range(4):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert writer.stdout.readline().strip() == "ready"
            with within(30):
                while not path.exists():
                    time.sleep(0.01)
            time.sleep(float(rng.uniform(0.0, 0.3)))
        finally:
            writer.kill()  # SIGKILL
            writer.wait()
        assert nn.load(path).state_dict() in expected


# --- 6. what a new user hit: labels that do not fit the loss --------------------------------


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize(
    ("loss", "outputs", "labels", "message"),
    [
        ("bce_logits", 1, [0, 1, 2], "the labels have 3 classes (0, 1, 2), but loss 'bce_logits'"
         " is for two classes; use loss='cross_entropy' with a model of 3 outputs"),
        ("bce", 1, [0, 1, 2], "the labels have 3 classes"),
        ("hinge", 1, [0, 1], "loss 'hinge' needs labels -1 and +1; the labels include 0; "
         "for labels 0 and 1 pass 2 * y - 1"),
        ("bce_logits", 1, [-1, 1], "needs labels in [0, 1]; the labels include -1; for labels "
         "-1 and +1 pass (y + 1) / 2"),
        ("bce", 1, [0, 2], "loss 'bce' needs labels in [0, 1]; the labels include 2"),
        ("cross_entropy", 3, [0, 1, 7], "on a model with 3 outputs needs labels 0 to 2; the "
         "labels include 7"),
        ("cross_entropy", 3, [0, 1, -1], "the labels include -1"),
        ("cross_entropy", 3, [0, 1, 1.5], "needs class indices 0, 1, ...; the labels include 1.5"),
        ("cross_entropy", 3, [0, 1, math.nan], "label 2 is nan (not finite)"),
        ("mse", 1, [0, 1, math.inf], "label 2 is inf (not finite)"),
        ("bce_logits", 2, [0, 1, 1], "loss 'bce_logits' needs a model with one output, got 2"),
    ],
)  # fmt: skip
def test_labels_unfit_for_the_loss_are_named_before_training(
    compiled, loss, outputs, labels, message
):
    X = np.random.default_rng(0).normal(size=(len(labels), 2))
    model = MLP(2, [4, outputs], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=re.escape(message)):
        nn.fit(model, X, np.array(labels), loss=loss, epochs=1, progress=False,
               compiled=compiled)  # fmt: skip
    assert [p.data for p in model.parameters()] == before


def test_evaluate_checks_labels_like_fit():
    X, y = make_blobs(20, centers=3, seed=0)
    with pytest.raises(ValueError, match=re.escape("evaluate: the labels have 3 classes")):
        nn.evaluate(MLP(2, [4, 1], seed=0), X, y, loss="bce_logits")
    X[0, 0] = math.inf
    with pytest.raises(ValueError, match=re.escape("evaluate: X[0, 0] is inf (not finite)")):
        nn.evaluate(MLP(2, [4, 3], seed=0), X, y)


@pytest.mark.parametrize("compiled", [False, True])
def test_non_finite_inputs_are_named(compiled):
    X, y = make_blobs(20, seed=0)
    X[3, 1] = math.nan
    with pytest.raises(ValueError, match=re.escape("fit: X[3, 1] is nan (not finite)")):
        nn.fit(MLP(2, [4, 3], seed=0), X, y, progress=False, compiled=compiled)


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        ([["a", "b"]], [0], ValueError, "could not convert string to float"),
        (np.zeros((2, 2)), np.array(["a", "b"]), ValueError, "labels must be numbers"),
        (np.zeros((2, 2, 2)), np.zeros(2), ValueError, "X must be (samples, features)"),
        (np.zeros(2), np.zeros(2), ValueError, "X must be (samples, features)"),
        (np.zeros((2, 3)), np.zeros(2), ValueError, "MLP expects 2 inputs, got 3"),
    ],
)
def test_data_of_the_wrong_type_or_shape(X, y, error, message):
    with pytest.raises(error, match=re.escape(message)):
        nn.fit(MLP(2, [4, 2], seed=0), X, y, progress=False)


def test_numpy_integers_are_accepted_as_counts():
    X, y = make_blobs(20, seed=0)
    history = nn.fit(MLP(2, [4, 3], seed=0), X, y, epochs=np.int64(2), batch_size=np.int32(8),
                     checkpoint_every=np.uint8(1), progress=False)  # fmt: skip
    assert history.epochs == 2 and len(history.step_loss) == 6
    with pytest.raises(ValueError, match=re.escape("fit: batch_size must be an int >= 1, got 2.0")):
        nn.fit(MLP(2, [4, 3], seed=0), X, y, batch_size=2.0, progress=False)


# --- 7. the suite finds a validation broken on purpose --------------------------------------

# A validation broken on purpose, and the part of this suite (-k) that must notice.
MUTANTS = {
    "numbers in a model file are not checked": (
        "nn.io.check_number = lambda value, where: value",
        "bad_model_file or neuron_and_layer",
    ),
    "a model file is not checked against its config": (
        "nn.io.check_state = lambda kind, config, state, source: None",
        "bad_model_file",  # not huge_network: this mutant would build the network it claims
    ),
    "IDX content is not checked": (
        "nn.data._check_images_and_labels = lambda who, images, labels, files: None",
        "idx_content",
    ),
    "IDX sizes are not bounded": ("nn.data.MAX_IDX_BYTES = 1 << 70", "idx or gzip_bomb"),
}


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_mutation_of_a_validation_fails_this_suite(tmp_path, mutant):
    mutation, selection = MUTANTS[mutant]
    (tmp_path / "mutant_plugin.py").write_text(
        textwrap.dedent(f"""
        import nn.data
        import nn.io


        def pytest_configure(config):
            {mutation}
        """)
    )
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "mutant_plugin", "-p",
         "no:cacheprovider", str(Path(__file__)), "-k", f"({selection}) and not mutation"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout[-2000:]
    assert "1 failed" in run.stdout, run.stdout[-2000:]
