"""The README and the documentation pages: every python block runs as pasted, page by page;
the README links every notebook; the op table has a row per op."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd import OPS
from autograd.viz.optable import markdown_table

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# The pages a reader pastes from, each into its own fresh interpreter.
PAGES = [
    README,
    ROOT / "docs" / "getting-started.md",
    *sorted((ROOT / "docs" / "guide").glob("*.md")),
    ROOT / "docs" / "benchmarks.md",
]


def test_table_has_a_row_per_op() -> None:
    table = markdown_table()
    for op in OPS.values():
        assert f"| `{op.name}` |" in table


def python_blocks(text: str) -> list[str]:
    """A page's ```python blocks, in order."""
    import re

    return re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_code_block_runs_as_pasted_in_order(page: Path, tmp_path: Path) -> None:
    """A reader pastes a page's blocks one after another into one fresh interpreter: each runs
    (issue 19.9). Files they write land in a temporary folder."""
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("dot") is None:
        pytest.skip("the pages' drawing blocks need Graphviz's dot")
    pytest.importorskip("anywidget", reason="the live-views page needs the [widgets] extra")
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    assert blocks, f"{page.name} has no python block"
    program = "\n".join(
        f"print('--- block {k}', flush=True)\n{block}" for k, block in enumerate(blocks)
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
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
