"""The table of ops, generated from :data:`autograd.core.ops.OPS`: the documentation site's
op-table page includes it, written afresh at every ``make docs``, so it cannot go stale."""

from __future__ import annotations

from ..core.ops import OPS


def markdown_table() -> str:
    """One row per op: its name, how to write it, and f with its derivative(s)."""
    rows = ["| op | written as | f and its derivative |", "|---|---|---|"]
    for op in OPS.values():
        rows.append(f"| `{op.name}` | `{op.syntax}` | {op.math.replace('|', '&#124;')} |")
    return "\n".join(rows)
