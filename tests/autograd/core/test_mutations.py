"""A small mutation check: break the engine on purpose, and the suite must notice.

Each case copies the engine to a temporary directory, changes one line (a derivative rule,
the accumulation in backward, a kink convention) and runs the tests that guard that line
there; they must fail. A mutation that survives means those tests cannot fail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

MUTATIONS = [
    pytest.param(  # the control: the copy passes when nothing is changed
        "autograd/core/ops.py",
        "derivatives=lambda m, out, x, y: (y, x),",
        "derivatives=lambda m, out, x, y: (y, x),",
        ["tests/autograd/core/test_backward.py"],
        id="control-unchanged",
    ),
    pytest.param(
        "autograd/core/ops.py",
        "derivatives=lambda m, out, x, y: (y, x),",
        "derivatives=lambda m, out, x, y: (x, y),",
        ["tests/autograd/core/test_ops_numeric.py"],
        id="mul-derivative-swapped",
    ),
    pytest.param(
        "autograd/core/backward.py",
        "                a._sum += g * da\n                b._sum += g * db",
        "                a._sum = g * da\n                b._sum += g * db",
        ["tests/autograd/core/test_backward.py"],
        id="fast-backward-overwrites-instead-of-adding",
    ),
    pytest.param(
        "autograd/core/backward.py",
        "contribution = grads[parent] + contribution",
        "contribution = contribution",
        ["tests/autograd/core/test_backward.py", "tests/autograd/core/test_fast_paths.py"],
        id="readable-backward-forgets-fan-out",
    ),
    pytest.param(
        "autograd/core/backends.py",
        "        return 1.0 if x > 0.0 else 0.0",
        "        return 1.0 if x >= 0.0 else 0.0",
        ["tests/autograd/core/test_no_wrong_number.py"],
        id="float-step-kink-convention",
    ),
]


@pytest.mark.parametrize(("path", "old", "new", "tests"), MUTATIONS)
def test_the_suite_catches_the_mutation(tmp_path, path, old, new, tests):
    for folder in ("autograd", "tests"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    source = tmp_path / path
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the line to mutate is no longer in {path}: update this test"
    source.write_text(text.replace(old, new), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "import autograd; print(autograd.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith(str(tmp_path)), "the copy, not the installed engine, must run"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    if old == new:
        assert done.returncode == 0, done.stdout[-2000:]
    else:
        assert done.returncode == 1, f"the mutation survived:\n{done.stdout[-2000:]}"
