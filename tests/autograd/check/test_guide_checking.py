"""The "Checking derivatives" guide (docs/guide/checking.md) runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograd import OPS, remove_op
from autograd.core.define import user_defined

PAGE = Path(__file__).resolve().parents[3] / "docs" / "guide" / "checking.md"


def section_code() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_section_has_code_and_the_culprit_picture() -> None:
    assert len(section_code()) == 2
    assert "(../images/07_write_your_own_op.svg)" in PAGE.read_text(encoding="utf-8")
    assert (PAGE.parent.parent / "images" / "07_write_your_own_op.svg").exists()


def test_the_section_runs() -> None:
    pytest.importorskip("graphviz")
    before = set(OPS)
    namespace: dict = {}
    try:
        for block in section_code():
            exec(compile(block, PAGE.name, "exec"), namespace)
        red = [line for line in namespace["picture"].source.splitlines() if "#d62728" in line]
        assert any("swish?" in line for line in red)  # the culprit is the slipped op
    finally:
        for name in set(user_defined()) - before:
            remove_op(name)
