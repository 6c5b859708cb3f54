"""Shared helpers: build any op of the table from plain numbers."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import settings

from autograd import Constant, Value
from autograd.core.ops import Op

# CI draws the same examples on every run (a red CI is then reproducible, never luck); runs
# elsewhere keep exploring new ones and replay their failures from .hypothesis/.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def op_inputs(op: Op, point: tuple[float, ...]) -> list[Value]:
    """Leaves for ``op`` at ``point``: Constants where the op holds an input constant."""
    return [
        Constant(x) if i in op.constant_inputs else Value(x, label=f"x{i}")
        for i, x in enumerate(point)
    ]


def sample_points(op: Op, count: int, seed: int = 0) -> list[tuple[float, ...]]:
    """Random points from the op's safe domain, then its explicit edge points."""
    rng = random.Random(f"{op.name}-{seed}")
    points = [tuple(rng.uniform(low, high) for low, high in op.domain) for _ in range(count)]
    return points + list(op.edge_points)


def torch_skip_summary(reasons: list[str]) -> str | None:
    """One loud line when PyTorch reference tests were skipped (None when none were)."""
    skipped = sum("torch" in reason.lower() for reason in reasons)
    if not skipped:
        return None
    return (
        f"{skipped} PyTorch reference test(s)/module(s) SKIPPED: torch is not installed, so this "
        "run is not the full suite. Run them with: "
        ".venv/bin/python -m pip install torch==2.13.0 && make test"
    )


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    reasons = []
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reasons.append(str(longrepr[2] if isinstance(longrepr, tuple) else longrepr))
    line = torch_skip_summary(reasons)
    if line:
        terminalreporter.write_sep("!", line, red=True, bold=True)


def need(condition: bool, reason: str) -> None:
    """Skip without ``condition``; on CI, where everything is installed (.ci/run), fail
    instead."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: see .ci/run)", pytrace=False)
    pytest.skip(reason)
