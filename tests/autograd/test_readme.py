"""The README's op table is the op table."""

from __future__ import annotations

from pathlib import Path

from autograd import OPS
from autograd.viz.optable import END, START, markdown_table, with_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_op_table_is_generated_from_the_op_table() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_table(text) == text, (
        "README op table is stale: run `python -m autograd.viz.optable`"
    )


def test_table_has_a_row_per_op() -> None:
    table = markdown_table()
    for op in OPS.values():
        assert f"| `{op.name}` |" in table


def test_markers_are_required() -> None:
    import pytest

    with pytest.raises(ValueError, match="no op-table markers"):
        with_table("no table here")
    assert START in README.read_text() and END in README.read_text()
