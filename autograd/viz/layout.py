"""Who is drawn as what: each Value's role, the collapsed module calls, the cluster boxes.

Pure graph bookkeeping for :mod:`autograd.viz.draw`, no Graphviz.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..backward import topological_order
from ..value import Constant, Scope, Value

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
        # Parameters and constants used only inside one group are folded into it.
        for v in self.order:
            if v.is_leaf and self.role[id(v)] in ("parameter", "constant"):
                homes = {self.group_of.get(id(c)) for c in self.consumers.get(id(v), ())}
                if len(homes) == 1 and None not in homes:
                    self.group_of[id(v)] = homes.pop()

    def home_scope(self, v: Value) -> Scope | None:
        """The module call whose cluster box a (not collapsed) Value sits in."""
        if not v.is_leaf or self.role[id(v)] not in ("parameter", "constant"):
            return v.scope
        scopes = {id(c.scope): c.scope for c in self.consumers.get(id(v), ())}
        return next(iter(scopes.values())) if len(scopes) == 1 else None

    def node_count(self) -> int:
        return len(self.order) - len(self.group_of) + len(self.groups)
