"""The graph as indented text: what a notebook shows when Graphviz's ``dot`` is missing."""

from __future__ import annotations

import math

from ..core.backward import topological_order
from ..core.ops import OPS
from ..core.value import Constant, Scope, Value

INSTALL_HINT = (
    "Install Graphviz's `dot` to see the picture: `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install -c conda-forge graphviz`; "
    "or `pip install 'seegrad[widgets]'` for an interactive view that needs no `dot`."
)


def number(x: float, fmt: str) -> str:
    """``x`` formatted with ``fmt``; a number that ``fmt`` would show as zero without being 0
    in two significant digits instead (a vanishing gradient reads "3.7e-08", not "0.0000"),
    and -0 without its sign."""
    text = format(x, fmt)
    if any(c in "123456789" for c in text.split("e")[0]) or not math.isfinite(x):
        return text
    return format(x, ".2g") if x != 0.0 else text.lstrip("-")


def text_tree(root: Value, fmt: str = ".4f", max_lines: int = 200) -> str:
    """``root`` and everything it depends on, one line per Value, inputs indented below outputs.

    A Value used in several places is written out once; later mentions say "(see above)".
    """
    order = topological_order(root)
    names = value_names(order)

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


# Infix ops: symbol, own precedence, least precedence each operand may have without parentheses.
_INFIX = {
    "add": (" + ", 1, (1, 1)),
    "sub": (" - ", 1, (1, 2)),
    "mul": ("*", 2, (2, 2)),
    "div": ("/", 2, (2, 3)),
    "pow": ("**", 3, (4, 4)),
    "pow_value": ("**", 3, (4, 4)),
}
_ATOM = 5


def value_names(order: list[Value], max_len: int = 24) -> dict[int, str]:
    """A name for each Value of a topological order, for captions and explanations: its label
    (with the module call it belongs to when several Values share it: ``z[layer 1 / neuron 3]``);
    else the expression that made it, when short (``x1*w1 + b``); else ``v<index>``, the name
    its node has in ``draw_dot``."""
    names: dict[int, str] = {}
    precedence: dict[int, int] = {}
    repeated = _repeated_labels(order)
    for i, v in enumerate(order):
        prec = _ATOM
        if v.label in repeated:
            name = f"{v.label}[{repeated[v.label].get(id(v)) or f'v{i}'}]".replace("\n", " ")
        elif v.label:
            name = v.label.replace("\n", " ")
        elif isinstance(v, Constant):
            name = format(v.data, "g")
            prec = _ATOM if v.data >= 0 else 1
        elif v.is_leaf:
            name = f"v{i}"
        else:
            infix = _INFIX.get(v.op)
            if infix is not None:
                symbol, prec, needs = infix
                args = [
                    names[id(p)] if precedence[id(p)] >= need else f"({names[id(p)]})"
                    for p, need in zip(v.parents, needs)
                ]
                name = symbol.join(args)
            elif v.op == "neg":
                name, prec = f"-{names[id(v.parents[0])]}", 1
            else:
                name = f"{v.op}({', '.join(names[id(p)] for p in v.parents)})"
            if len(name) > max_len:
                name, prec = f"v{i}", _ATOM
        names[id(v)] = name
        precedence[id(v)] = prec
    return names


def _repeated_labels(order: list[Value]) -> dict[str, dict[int, str]]:
    """For labels that several Values share (every neuron's ``z``), where each one lives: the
    module call that made it (for a leaf, the call that used it), as "layer 1 / neuron 3"."""
    seen: dict[str, int] = {}
    for v in order:
        if v.label:
            seen[v.label] = seen.get(v.label, 0) + 1
    repeated: dict[str, dict[int, str]] = {label: {} for label, n in seen.items() if n > 1}
    if not repeated:
        return repeated
    calls: dict[int, int] = {}  # outermost module call (a model applied to a sample) -> number
    for v in order:
        if v.scope is not None:
            calls.setdefault(id(v.scope.path()[0]), len(calls))
    sample_of: dict[int, int] = {}
    for v in order:
        if v.label in repeated and v.scope is not None:
            repeated[v.label][id(v)] = _where(v.scope)
            sample_of[id(v)] = calls[id(v.scope.path()[0])]
        for p in v.parents:  # a leaf lives where it is first used
            known = repeated.get(p.label, {id(p): ""})
            if p.is_leaf and v.scope is not None and id(p) not in known:
                # A number fed in (nn's x0, x1) belongs to its sample, not to the first neuron
                # that reads it: x0[sample 3], where x0[layer 0 / neuron 0] named every sample's.
                sample = calls[id(v.scope.path()[0])]
                known[id(p)] = f"sample {sample}" if isinstance(p, Constant) else _where(v.scope)
    for places in repeated.values():  # every sample's a of neuron 3: which sample's
        count: dict[str, int] = {}
        for place in places.values():
            count[place] = count.get(place, 0) + 1
        for key, place in places.items():
            if count[place] > 1 and key in sample_of:
                places[key] = f"{place}, sample {sample_of[key]}"
    return repeated


def _where(scope: Scope) -> str:
    return " / ".join(s.name for s in scope.path()[-2:])
