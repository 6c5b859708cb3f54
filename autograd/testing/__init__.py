"""Tools for testing derivatives: your own ops, random programs, and a pytest plugin.

- :func:`check_op`: one row of the op table (built-in or made by ``autograd.define_op``)
  against numerical derivatives, first and second order, and its float, Value and NumPy
  backends against each other.
- :mod:`autograd.testing.strategies`: Hypothesis strategies for random straight-line programs
  over any set of rows (needs ``hypothesis``).
- :mod:`autograd.testing.pytest_plugin`: fixtures for pytest, loaded automatically when this
  package is installed (``define_op`` that cleans up, ``derivative_check`` with readable
  failures).
"""

from __future__ import annotations

from ..check.gradcheck import GradcheckError
from ..check.localcheck import Mismatch
from ..check.opcheck import check_op, test_points

__all__ = ["GradcheckError", "Mismatch", "check_op", "test_points"]
