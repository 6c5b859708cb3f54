"""The graph as indented text: what a notebook shows when Graphviz's ``dot`` is missing."""

from __future__ import annotations

from ..backward import topological_order
from ..ops import OPS
from ..value import Constant, Value

INSTALL_HINT = (
    "Install Graphviz's `dot` to see the picture: `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install -c conda-forge graphviz`; "
    "or `pip install 'seegrad[widgets]'` for an interactive view that needs no `dot`."
)


def number(x: float, fmt: str) -> str:
    """``x`` formatted with ``fmt``, without the confusing ``-0.0000`` of tiny negatives."""
    text = format(x, fmt)
    if text.startswith("-") and not any(c in "123456789" for c in text.split("e")[0]):
        text = text[1:]
    return text


def text_tree(root: Value, fmt: str = ".4f", max_lines: int = 200) -> str:
    """``root`` and everything it depends on, one line per Value, inputs indented below outputs.

    A Value used in several places is written out once; later mentions say "(see above)".
    """
    order = topological_order(root)
    names = {id(v): v.label.replace("\n", "\\n") or f"v{i}" for i, v in enumerate(order)}

    def line(v: Value) -> str:
        kind = "constant" if isinstance(v, Constant) else (OPS[v.op].label if v.op else "leaf")
        return f"{names[id(v)]}  [{kind}]  data {number(v.data, fmt)}  grad {number(v.grad, fmt)}"

    lines: list[str] = []
    shown: set[int] = set()
    # Depth-first, iterative: (value, prefix for its line, prefix for its children).
    stack: list[tuple[Value, str, str]] = [(root, "", "")]
    while stack and len(lines) < max_lines:
        v, head, indent = stack.pop()
        if id(v) in shown and v.parents:
            lines.append(f"{head}{names[id(v)]}  (see above)")
            continue
        shown.add(id(v))
        lines.append(head + line(v))
        parents = v.parents
        for k in range(len(parents) - 1, -1, -1):
            last = k == len(parents) - 1
            stack.append(
                (
                    parents[k],
                    indent + ("└─ " if last else "├─ "),
                    indent + ("   " if last else "│  "),
                )
            )
    if stack:
        lines.append(f"... (cut at {max_lines} lines)")
    return "\n".join(lines)
