"""Who is drawn as what: each Value's role, the collapsed module calls, the cluster boxes.

Pure graph bookkeeping for :mod:`autograd.viz.draw`, no Graphviz.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core.backward import topological_order
from ..core.value import Constant, Scope, Value

SAMPLE = "sample"  # collapse= value: one node per model call (per sample of a batch)

# w, b, w1, b_out, weight..., bias...: leaves that read as parameters when no module says so.
_PARAMETER_LABEL = re.compile(r"(?:[wb](?:[\d_].*)?|weight.*|bias.*)", re.DOTALL)


class Layout:
    """Who is drawn as what: roles, collapsed groups and the cluster each node sits in."""

    def __init__(
        self,
        root: Value,
        collapse: str | int | None,
        params: Iterable[Value] | None,
    ) -> None:
        self.root = root
        self.order = topological_order(root)
        self.index = {id(v): i for i, v in enumerate(self.order)}
        self.consumers: dict[int, list[Value]] = {}
        for v in self.order:
            for p in v.parents:
                self.consumers.setdefault(id(p), []).append(v)
        self.params = self._parameters(params)
        self.role = {id(v): self._role(v, root) for v in self.order}
        # Collapsed groups: scope id -> scope, and value id -> scope id of its group.
        self.groups: dict[int, Scope] = {}
        self.group_of: dict[int, int] = {}
        self.members: dict[int, list[Value]] = {}
        self.titles: dict[int, str] = {}  # a group's title when not its module's name
        # Leaves used only inside several collapsed groups (a weight every sample uses): not drawn.
        self.hidden: set[int] = set()
        if collapse is not None:
            self._collapse(collapse)
            for v in self.order:
                if id(v) in self.group_of:
                    self.members.setdefault(self.group_of[id(v)], []).append(v)

    def _parameters(self, params: Iterable[Value] | None) -> set[int]:
        if params is not None:
            return {id(p) for p in params}
        found: set[int] = set()
        modules: dict[int, object] = {}
        for v in self.order:
            if v.scope is not None:
                top = v.scope.path()[0].module
                modules.setdefault(id(top), top)
        for module in modules.values():
            parameters = getattr(module, "parameters", None)
            try:
                found.update(id(p) for p in parameters())  # type: ignore[misc]
            except (TypeError, AttributeError):  # not an nn-style module: labels decide
                pass
        for v in self.order:
            if v.is_leaf and _PARAMETER_LABEL.fullmatch(v.label):
                found.add(id(v))
        return found

    def _role(self, v: Value, root: Value) -> str:
        if v is root:
            return "output"
        if isinstance(v, Constant):
            # A named number is data fed in (nn labels its inputs x0, x1, ...); an unnamed one
            # came from an expression such as 2 * x.
            return "input" if v.label else "constant"
        if v.is_leaf:
            return "parameter" if id(v) in self.params else "input"
        return "inner"

    def _collapse(self, collapse: str | int) -> None:
        if collapse == SAMPLE:
            self._collapse_samples()
        else:
            self._collapse_modules(collapse)
        # Leaves used only inside one group are folded into it (for samples: their inputs and
        # targets too); parameters and constants used only inside groups are not drawn.
        foldable = (
            ("parameter", "constant", "input") if collapse == SAMPLE else ("parameter", "constant")
        )
        for v in self.order:
            if v.is_leaf and v is not self.root and self.role[id(v)] in foldable:
                homes = {self.group_of.get(id(c)) for c in self.consumers.get(id(v), ())}
                if None in homes:
                    continue
                if len(homes) == 1:
                    self.group_of[id(v)] = homes.pop()
                elif self.role[id(v)] != "input":
                    self.hidden.add(id(v))

    def _collapse_modules(self, collapse: str | int) -> None:
        def selected(scope: Scope, depth: int) -> bool:
            if isinstance(collapse, int):
                return depth == collapse
            return type(scope.module).__name__.lower() == collapse.lower()

        kinds: set[str] = set()
        for v in self.order:
            if v.scope is None:
                continue
            for depth, scope in enumerate(v.scope.path(), start=1):
                kinds.add(type(scope.module).__name__.lower())
                if selected(scope, depth):
                    self.groups.setdefault(id(scope), scope)
                    self.group_of[id(v)] = id(scope)
                    break
        if not self.groups:
            found = (
                f"its module calls are of kinds {', '.join(sorted(kinds))}"
                if kinds
                else "no Value in it was made inside a module call (nn modules record theirs)"
            )
            raise ValueError(
                f"draw_dot: collapse={collapse!r} matches nothing in this graph; {found}"
            )

    def _collapse_samples(self) -> None:
        """One group per outermost module call (a model applied to one sample), with the Values
        outside every call that depend on that call alone (its term of the loss)."""
        for v in self.order:
            if v.scope is not None:
                top = v.scope.path()[0]
                if id(top) not in self.groups:
                    self.titles[id(top)] = f"sample {len(self.groups)}: {top.name}"
                    self.groups[id(top)] = top
                self.group_of[id(v)] = id(top)
        if not self.groups:
            raise ValueError(
                "draw_dot: collapse='sample' and sample= need a graph made by calling a model "
                "(an nn module) once per sample; no Value in this one was made inside a "
                "module call"
            )
        many = -1  # depends on several samples
        reach: dict[int, int | None] = {}  # value id -> the one group it depends on
        for v in self.order:
            if id(v) in self.group_of:
                reach[id(v)] = self.group_of[id(v)]
                continue
            found: set[int] = {g for p in v.parents if (g := reach.get(id(p))) is not None}
            one = found.pop() if len(found) == 1 else (many if found else None)
            if one is not None and one != many:
                self.group_of[id(v)] = one
            reach[id(v)] = one

    def home_scope(self, v: Value) -> Scope | None:
        """The module call whose cluster box a (not collapsed) Value sits in: its own; for a
        parameter or constant, the one call using it; for an input, the innermost call that
        holds every use of it (x0 and x1 of an MLP sit in its first layer's box)."""
        if not v.is_leaf:
            return v.scope
        role = self.role[id(v)]
        scopes = {id(c.scope): c.scope for c in self.consumers.get(id(v), ())}
        if role in ("parameter", "constant"):
            return next(iter(scopes.values())) if len(scopes) == 1 else None
        if role != "input" or not scopes or None in scopes.values():
            return v.scope
        paths = [scope.path() for scope in scopes.values()]  # type: ignore[union-attr]
        common: Scope | None = None
        for level in zip(*paths):
            if any(s is not level[0] for s in level):
                break
            common = level[0]
        return common

    def node_count(self) -> int:
        return len(self.order) - len(self.group_of) - len(self.hidden) + len(self.groups)

    def group_outputs(self, sid: int) -> list[Value]:
        """The members of a group that something outside it uses (or the root)."""
        return [
            v
            for v in self.members[sid]
            if v is self.root
            or any(self.group_of.get(id(c)) != sid for c in self.consumers.get(id(v), ()))
        ]


def sample_term(root: Value, sample: int) -> tuple[Value, int]:
    """Sample ``sample``'s term of a batch loss ``root`` (the outputs of its group when drawn
    with ``collapse="sample"``), and how many samples there are."""
    if not isinstance(sample, int) or isinstance(sample, bool):
        raise ValueError(f"draw_dot: sample must be an int, got {sample!r}")
    layout = Layout(root, SAMPLE, None)
    groups = list(layout.groups)
    if not 0 <= sample < len(groups):
        raise ValueError(
            f"draw_dot: sample={sample} is out of range: this graph has {len(groups)} "
            f"samples (model calls), numbered 0 to {len(groups) - 1}"
        )
    return layout.group_outputs(groups[sample])[-1], len(groups)
