"""Hypothesis strategies: random straight-line programs over rows of the op table.

A program has ``n_inputs`` inputs ``v0, v1, ...``; step k applies one row to earlier slots
and writes ``v{n_inputs + k}``; its output is the last slot. Draw one with :func:`programs`
and run it on Values: ``program(*leaves)``. For property tests such as "reverse mode equals
forward mode" over every built-in row and your own::

    from hypothesis import given
    from autograd.testing import strategies as gs

    @given(gs.programs(), gs.points(3))
    def test_modes_agree(program, point): ...

With ``confine=True`` (the default) every argument is first squashed into its input's
domain interval, ``low + (high - low) * σ(v)``, so programs never leave a row's domain and
their numbers stay moderate; ``confine=False`` gives the bare program, which may raise a
domain error (``assume`` it away). Hypothesis shrinks a failing program to a short one and
prints it line by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from ..check.localcheck import row_of
from ..core.ops import OPS, Op
from ..core.value import Constant, Value

__all__ = ["Program", "Step", "points", "programs"]


@dataclass(frozen=True)
class Step:
    """``op`` applied to ``args``: a slot index for each input, a number for each constant
    input of the row (such as the exponent of ``pow``)."""

    op: Op
    args: tuple[int | float, ...]


@dataclass(frozen=True)
class Program:
    """A straight-line program: inputs ``v0 .. v{n_inputs-1}``, then one slot per step."""

    n_inputs: int
    steps: tuple[Step, ...]
    confine: bool = True

    def __call__(self, *inputs: Value) -> Value:
        if len(inputs) != self.n_inputs:
            raise TypeError(f"this program takes {self.n_inputs} inputs, got {len(inputs)}")
        slots: list[Value] = list(inputs)
        for step in self.steps:
            slots.append(Value.apply(step.op, *self._arguments(step, slots)))
        return slots[-1]

    def _arguments(self, step: Step, slots: list[Value]) -> list[Value]:
        args: list[Value] = []
        for i, arg in enumerate(step.args):
            if i in step.op.constant_inputs:
                args.append(Constant(float(arg)))
                continue
            x = slots[int(arg)]
            if self.confine:
                low, high = step.op.domain[i]
                x = low + (high - low) * x.sigmoid()
            args.append(x)
        return args

    @property
    def ops(self) -> list[str]:
        return [step.op.name for step in self.steps]

    def __str__(self) -> str:
        lines = [f"program of {self.n_inputs} inputs (v0..v{self.n_inputs - 1}):"]
        for k, step in enumerate(self.steps):
            args = []
            for i, arg in enumerate(step.args):
                if i in step.op.constant_inputs:
                    args.append(repr(float(arg)))
                elif self.confine:
                    low, high = step.op.domain[i]
                    args.append(f"v{arg}→[{low:g}, {high:g}]")
                else:
                    args.append(f"v{arg}")
            lines.append(f"  v{self.n_inputs + k} = {step.op.name}({', '.join(args)})")
        return "\n".join(lines)

    __repr__ = __str__


def _rows(ops: Iterable[Op | str] | None) -> list[Op]:
    if ops is None:
        return list(OPS.values())
    rows = [row_of(op, "programs") for op in ops]
    if not rows:
        raise ValueError("programs: needs at least one op")
    return rows


@st.composite
def _programs(
    draw: st.DrawFn,
    rows: Sequence[Op],
    n_inputs: int,
    min_steps: int,
    max_steps: int,
    confine: bool,
) -> Program:
    count = draw(st.integers(min_steps, max_steps))
    steps = []
    for k in range(count):
        op = draw(st.sampled_from(rows))
        args: list[int | float] = []
        for i, (low, high) in enumerate(op.domain):
            if i in op.constant_inputs:
                args.append(draw(st.floats(low, high)))
            else:
                args.append(draw(st.integers(0, n_inputs + k - 1)))
        steps.append(Step(op, tuple(args)))
    return Program(n_inputs, tuple(steps), confine)


def programs(
    ops: Iterable[Op | str] | None = None,
    *,
    n_inputs: int = 3,
    min_steps: int = 1,
    max_steps: int = 8,
    confine: bool = True,
) -> st.SearchStrategy[Program]:
    """Programs of ``min_steps..max_steps`` steps over ``ops`` (default: every row in the table
    when called, built-in and defined with ``define_op``)."""
    if n_inputs < 1 or min_steps < 1 or max_steps < min_steps:
        raise ValueError(
            "programs: needs n_inputs >= 1 and 1 <= min_steps <= max_steps, got "
            f"n_inputs={n_inputs}, min_steps={min_steps}, max_steps={max_steps}"
        )
    return _programs(_rows(ops), n_inputs, min_steps, max_steps, confine)


def points(n_inputs: int, low: float = -2.0, high: float = 2.0) -> st.SearchStrategy[list[float]]:
    """Input points: ``n_inputs`` finite floats in [low, high]."""
    return st.lists(st.floats(low, high), min_size=n_inputs, max_size=n_inputs)
