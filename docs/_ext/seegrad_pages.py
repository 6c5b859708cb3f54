"""Pages made from the project at build time, so the site never disagrees with the code.

- ``_generated/optable.md``: the op table, from :func:`autograd.viz.optable.markdown_table`
- ``_generated/benchmarks.png``: the ratios of benchmarks/RESULTS.md as a bar chart (matplotlib).
- ``_generated/static/mathjax``: MathJax 2 from the jupyter-server-mathjax package, so formulas
  render from file:// with no network.
- Each op's math in the API reference: the docstring of the method or function that makes an
  op (``Value.exp``, ``Value.__add__``, ``autograd.dot``, ...) ends with that op's row.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent.parent
ROOT = DOCS.parent
GENERATED = DOCS / "_generated"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

# Operators whose op is written with a special method of Value.
SPECIAL_METHODS = {
    "__add__": "add",
    "__radd__": "add",
    "__sub__": "sub",
    "__rsub__": "sub",
    "__mul__": "mul",
    "__rmul__": "mul",
    "__truediv__": "div",
    "__rtruediv__": "div",
    "__neg__": "neg",
    "__pow__": "pow",
    "__rpow__": "pow_value",
    "__abs__": "abs",
}


def _write(path: Path, text: str) -> None:
    """Write only when the text changed, so Sphinx does not re-read an unchanged page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def op_table() -> None:
    from autograd.viz.optable import markdown_table

    _write(GENERATED / "optable.md", markdown_table() + "\n")


def benchmark_rows(text: str) -> list[tuple[str, float, str]]:
    """(workload, ratio, verdict) for each row of the results table whose ratio is a number
    of times (``69.0x``, ``1.54x as fast``, ``3.3x smaller``); ratios of time taken
    (``1.80x PyTorch's time``) are turned into speed (1 / 1.80)."""
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 6 or not line.startswith("|"):
            continue
        ratio = re.match(r"([0-9.]+)x( as fast| smaller| PyTorch's time)?(?: \[|$)", cells[3])
        if ratio is None:
            continue
        value = float(ratio.group(1))
        if ratio.group(2) == " PyTorch's time":
            value = 1.0 / value
        workload = re.sub(r"`", "", cells[0])
        rows.append((workload, value, cells[5]))
    return rows


def benchmark_plot() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    target = GENERATED / "benchmarks.png"
    rows = benchmark_rows(RESULTS.read_text(encoding="utf-8"))
    if target.exists() and target.stat().st_mtime >= RESULTS.stat().st_mtime:
        return
    names = [_short(name) for name, _, _ in rows]
    colours = {"met": "#2e7d32", "**missed**": "#c62828"}
    fig, axes = plt.subplots(figsize=(9, 0.32 * len(rows) + 1.2), dpi=110)
    axes.barh(
        range(len(rows)),
        [value for _, value, _ in rows],
        color=[colours.get(verdict, "#78909c") for *_, verdict in rows],
    )
    axes.set_yticks(range(len(rows)), names, fontsize=7)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.axvline(1.0, color="black", linewidth=0.8)
    axes.set_xlabel("times as fast (or as small) as the reference; log scale; 1 = equal")
    axes.set_title(
        "benchmarks/RESULTS.md: green met its target, red missed it, grey for information",
        fontsize=9,
    )
    fig.tight_layout()
    GENERATED.mkdir(exist_ok=True)
    fig.savefig(target, metadata={"Software": None})
    plt.close(fig)


def _short(name: str, width: int = 90) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def mathjax() -> None:
    import jupyter_server_mathjax

    source = Path(jupyter_server_mathjax.__file__).parent / "static"
    target = GENERATED / "static" / "mathjax"
    if (target / "MathJax.js").exists():
        return
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("localization"))


def op_math(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Append the op row's math to the docstring of what makes that op."""
    from autograd.core.ops import OPS

    short = name.rsplit(".", 1)[-1]
    op_name = SPECIAL_METHODS.get(short, short) if what in ("method", "function") else None
    if op_name not in OPS:
        return
    if what == "function" and not name.startswith("autograd."):
        return
    if what == "method" and ".Value." not in name:
        return
    op = OPS[op_name]
    if [line.strip() for line in lines if line.strip()] == [op.math]:
        lines[:] = []  # the docstring is the row's math: said once, below, as code
    lines.extend(["", f"**Op** ``{op.name}``, written ``{op.syntax}``: ``{op.math}``", ""])


def indented_definitions(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """A block of ``key: text`` lines indented under a paragraph (outside napoleon's sections)
    as a definition list, which reStructuredText reads without a warning (the op row's
    declared structure, in :class:`autograd.Op`)."""
    if what != "class" or not name.endswith(".Op"):
        return
    out: list[str] = []
    for index, line in enumerate(lines):
        before = out[-1] if out else ""
        head = re.match(r"^    (\w+): (.*)$", line)
        inside = index > 0 and (before.startswith("    ") or before.strip() == "")
        if head and inside and not line.startswith("     "):
            out.extend([head.group(1), "    " + head.group(2)])
        elif line.startswith("        ") and out and out[-1].startswith("    "):
            out.append(line[4:])
        else:
            out.append(line)
    lines[:] = out


def generate(app: Any) -> None:
    op_table()
    benchmark_plot()
    mathjax()


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", generate)
    app.connect("autodoc-process-docstring", op_math)
    app.connect("autodoc-process-docstring", indented_definitions, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
