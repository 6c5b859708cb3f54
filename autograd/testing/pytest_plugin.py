"""A pytest plugin for derivative checks, loaded automatically when seegrad is installed
(entry point ``pytest11``; ``-p no:seegrad`` turns it off).

Fixtures:

- ``define_op``: :func:`autograd.define_op`, except that every op it makes is taken out of the
  table again after the test, so tests cannot leak rows into each other.
- ``derivative_check``: ``derivative_check.op(op)`` runs :func:`autograd.testing.check_op` and
  ``derivative_check.function(f, inputs, **options)`` runs :func:`autograd.gradcheck`; a failure
  is reported as the check's own report (each failing point, the culprit node), without the
  check's internals in the traceback.

Nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest


@pytest.fixture
def define_op() -> Iterator[Callable[..., Any]]:
    """``autograd.define_op`` whose ops are removed from the table after the test."""
    from autograd.core.define import define_op as define
    from autograd.core.define import remove_op
    from autograd.core.ops import OPS

    made: list[Any] = []

    def make(*args: Any, **kwargs: Any) -> Any:
        op = define(*args, **kwargs)
        made.append(op)
        return op

    yield make
    for op in made:
        if OPS.get(op.name) is op:
            remove_op(op)


class DerivativeCheck:
    """Runs a check and turns its :class:`~autograd.GradcheckError` into a readable failure."""

    def op(self, op: Any, **options: Any) -> None:
        """:func:`autograd.testing.check_op` on ``op`` (an Op or its name)."""
        __tracebackhide__ = True
        from autograd.testing import check_op

        self._run(check_op, op, **options)

    def function(self, f: Callable[..., Any], inputs: Sequence[float], **options: Any) -> None:
        """:func:`autograd.gradcheck` of ``f`` at ``inputs`` (``order=``, ``mode=``, ...)."""
        __tracebackhide__ = True
        from autograd import gradcheck

        self._run(gradcheck, f, inputs, **options)

    @staticmethod
    def _run(check: Callable[..., Any], *args: Any, **options: Any) -> None:
        __tracebackhide__ = True
        from autograd import GradcheckError

        try:
            check(*args, **options)
            return
        except GradcheckError as error:
            report = str(error)
        pytest.fail(f"derivative check failed\n{report}", pytrace=False)  # outside: no chaining


@pytest.fixture
def derivative_check() -> DerivativeCheck:
    """``derivative_check.op(op)`` and ``derivative_check.function(f, inputs, ...)``."""
    return DerivativeCheck()


def pytest_report_header(config: pytest.Config) -> str:
    return "seegrad: fixtures define_op and derivative_check (autograd.testing)"
