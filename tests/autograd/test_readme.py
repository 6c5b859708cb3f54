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


def python_blocks(text: str) -> list[str]:
    """The README's ```python blocks, in order."""
    import re

    return re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def test_every_readme_code_block_runs_as_pasted_in_order(tmp_path: Path) -> None:
    """A reader pastes the blocks one after another into one fresh interpreter: each runs
    (issue 19.9). Files they write land in a temporary folder."""
    import os
    import shutil
    import subprocess
    import sys

    import pytest

    if shutil.which("dot") is None:
        pytest.skip("the README's drawing blocks need Graphviz's dot")
    pytest.importorskip("anywidget", reason="the README's Live block needs the [widgets] extra")
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 8, len(blocks)
    program = "\n".join(
        f"print('--- block {k}', flush=True)\n{block}" for k, block in enumerate(blocks)
    )
    root = README.parent
    env = dict(os.environ, PYTHONPATH=str(root), MPLBACKEND="Agg")
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    last = [line for line in done.stdout.splitlines() if line.startswith("--- block")]
    assert done.returncode == 0, f"{last[-1:]} failed:\n{done.stderr[-3000:]}"
    assert last[-1] == f"--- block {len(blocks) - 1}"


def test_the_readme_lists_every_notebook() -> None:
    text = README.read_text(encoding="utf-8").split("## Notebooks", 1)[1].split("\n## ", 1)[0]
    notebooks = sorted(p.name for p in (README.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(notebooks) >= 7
    for name in notebooks:
        assert f"notebooks/{name}" in text, name
