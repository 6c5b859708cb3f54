"""A long chain of ops drawn in rows, as text wraps, instead of one row thousands of px long.

Drawn left to right, a chain of n ops is n value boxes and n op nodes in one row: 14 ops are
about 2,800 px, four times a notebook's column. :func:`wrap_rows` finds the graph's spine (its
longest path) and, when the graph is chain-like (the spine holds nearly everything that is not
a leaf) and too long for one row, cuts the spine into rows of ``per_row`` nodes. The drawing then
runs top to bottom with each row on one rank, read left to right like lines of text; a leaf
that feeds a row (the 0.9 of ``x * 0.9``) sits just above its op. Graphs that are not chains (a
neuron, an MLP) are left as they are: their width comes from their breadth, not their length.
"""

from __future__ import annotations

from collections.abc import Sequence

PER_ROW = 8  # spine nodes per row: 4 value boxes and 4 op nodes, about a notebook column
SIDE_SHARE = 0.25  # at most this many inner nodes off the spine per spine node: chain-like


def spine(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[str]:
    """The longest path (by node count) through the DAG of ``nodes`` and ``edges``, first node
    to last (the first such path when several are as long)."""
    into: dict[str, list[str]] = {n: [] for n in nodes}
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for tail, head in edges:
        into[head].append(tail)
        out[tail].append(head)
    waiting = {n: len(into[n]) for n in nodes}
    order = [n for n in nodes if not waiting[n]]
    for n in order:  # Kahn's topological order; order grows while it is read
        for head in out[n]:
            waiting[head] -= 1
            if not waiting[head]:
                order.append(head)
    if len(order) != len(nodes):
        raise ValueError("spine: the graph has a cycle")
    length: dict[str, int] = {}
    before: dict[str, str | None] = {}
    for n in order:
        tails = into[n]
        best = max(tails, key=lambda t: length[t], default=None)
        before[n] = best
        length[n] = 1 + (length[best] if best is not None else 0)
    if not nodes:
        return []
    end: str | None = max(order, key=lambda n: length[n])
    path = []
    while end is not None:
        path.append(end)
        end = before[end]
    return path[::-1]


def wrap_rows(
    nodes: Sequence[str], edges: Sequence[tuple[str, str]], per_row: int = PER_ROW
) -> list[list[str]] | None:
    """The spine of a chain-like graph cut into rows of ``per_row`` nodes, or ``None`` when the
    graph is short enough for one row or is not chain-like (see the module docstring)."""
    if per_row < 2:
        raise ValueError(f"wrap_rows: per_row must be at least 2, got {per_row}")
    path = spine(nodes, edges)
    if len(path) <= per_row * 3 // 2:  # a row and a half: one row reads better
        return None
    fed = {head for _, head in edges}
    on_path = set(path)
    side = sum(1 for n in nodes if n in fed and n not in on_path)
    if side > SIDE_SHARE * len(path):
        return None
    return [path[k : k + per_row] for k in range(0, len(path), per_row)]
