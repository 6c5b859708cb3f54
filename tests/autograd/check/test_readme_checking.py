"""The README's "Checking derivatives" section runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograd import OPS, remove_op
from autograd.core.define import user_defined

README = Path(__file__).resolve().parents[3] / "README.md"


def section_code() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Checking derivatives\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_section_has_code_and_the_culprit_picture() -> None:
    assert len(section_code()) == 2
    assert "(docs/images/07_write_your_own_op.svg)" in README.read_text(encoding="utf-8")
    assert (README.parent / "docs" / "images" / "07_write_your_own_op.svg").exists()


def test_the_section_runs() -> None:
    pytest.importorskip("graphviz")
    before = set(OPS)
    namespace: dict = {}
    try:
        for block in section_code():
            exec(compile(block, "README.md", "exec"), namespace)
        red = [line for line in namespace["picture"].source.splitlines() if "#d62728" in line]
        assert any("swish?" in line for line in red)  # the culprit is the slipped op
    finally:
        for name in set(user_defined()) - before:
            remove_op(name)
