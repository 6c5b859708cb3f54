"""`make test` without torch says loudly how many PyTorch reference tests it skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import torch_skip_summary

ROOT = Path(__file__).resolve().parents[1]


def test_the_line_counts_torch_skips_and_says_how_to_run_them():
    line = torch_skip_summary(["PyTorch is the reference here", "needs dot", "to_torch needs"])
    assert line is not None and line.startswith("2 PyTorch reference test")
    assert "pip install torch" in line and "make test" in line
    assert torch_skip_summary(["needs graphviz"]) is None


def test_a_run_that_skips_a_torch_module_prints_the_line(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "import pytest\n"
        "pytest.importorskip('torch_that_is_not_installed', reason='PyTorch is the reference')\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.conftest",
            str(probe),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "1 PyTorch reference test(s)/module(s) SKIPPED" in done.stdout, done.stdout
