"""The pytest plugin: registered as an entry point, its fixtures work, failures read well."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

PLUGIN = "autograd.testing.pytest_plugin"
ROOT = Path(__file__).resolve().parents[3]


def installed() -> bool:
    return any(ep.value == PLUGIN for ep in entry_points(group="pytest11"))


def test_the_entry_point_is_declared_and_installed() -> None:
    assert f'seegrad = "{PLUGIN}"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if not installed() and not os.environ.get("CI"):
        pytest.skip("this environment predates the entry point: re-run `make setup`")
    assert installed()


def run_pytest(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(source), encoding="utf-8")
    # A user's project: the plugin arrives by its entry point (or -p where not yet installed).
    plugin = [] if installed() else ["-p", PLUGIN]
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin, str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_fixtures_pass_and_fail_readably(tmp_path: Path) -> None:
    result = run_pytest(
        tmp_path,
        """
        from autograd import OPS

        def test_good(define_op, derivative_check):
            swish = define_op(
                "my_swish",
                lambda m, x: x * m.sigmoid(x),
                lambda m, out, x: (m.sigmoid(x) + out * (1.0 - m.sigmoid(x)),),
            )
            derivative_check.op(swish)
            derivative_check.function(lambda x: swish(x).tanh(), [0.3], order=2)

        def test_cleaned_up():
            assert "my_swish" not in OPS

        def test_bad(define_op, derivative_check):
            bad = define_op("my_bad", lambda m, x: x * x, lambda m, out, x: (3.0 * x,))
            derivative_check.function(lambda x: bad(x).tanh(), [0.3])
        """,
    )
    out = result.stdout
    assert "1 failed, 2 passed" in out, out + result.stderr
    assert "derivative check failed" in out
    assert "Culprit: the my_bad node" in out
    # Reported as the check's own words, not a traceback through gradcheck's internals.
    assert "autograd/check/gradcheck.py" not in out and "During handling" not in out


def test_derivative_check_op_failure_lists_points(tmp_path: Path) -> None:
    result = run_pytest(
        tmp_path,
        """
        def test_bad_rule(define_op, derivative_check):
            op = define_op("off", lambda m, x: m.exp(x), lambda m, out, x: (out * 1.01,))
            derivative_check.op(op)
        """,
    )
    assert "1 failed" in result.stdout
    assert "check_op('off') failed at" in result.stdout and "d off / d x at x = " in result.stdout
