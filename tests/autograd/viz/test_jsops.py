"""The op table's JavaScript forms: one for every row (the browser check of their numbers is
tests/browser/test_jsops_browser.py)."""

from __future__ import annotations

import pytest

from autograd import OPS
from autograd.viz import jsops


@pytest.mark.parametrize("op", jsops.builtin_rows(), ids=lambda op: op.name)
def test_every_row_has_a_javascript_form(op) -> None:
    assert op.name in jsops.JS_FORMS, (
        f"op {op.name!r} has no JavaScript form: add one to JS_FORMS in autograd/viz/jsops.py "
        "(the explorer recomputes graphs in the browser from it)"
    )


def test_no_javascript_form_without_a_row() -> None:
    assert set(jsops.JS_FORMS) <= set(OPS), set(jsops.JS_FORMS) - set(OPS)


def test_table_source_defines_the_ops_asked_for() -> None:
    source = jsops.table_source(["mul", "tanh", "no_such_op"])
    assert '"mul": {' in source and '"tanh": {' in source and "no_such_op" not in source
    assert "const M = " in source and "function fsum" in source
    assert jsops.missing(["mul", "no_such_op", "other"]) == ["no_such_op", "other"]


def test_add_js_form_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="no op named 'nope'"):
        jsops.add_js_form("nope", "x", "[1]")
    with pytest.raises(ValueError, match="'mul' already has a JavaScript form"):
        jsops.add_js_form("mul", "x * y", "[y, x]")
    with pytest.raises(ValueError, match="forward must be a JavaScript expression, got ' '"):
        jsops.add_js_form("mul", " ", "[1]")
    with pytest.raises(ValueError, match="derivatives must be a JavaScript expression"):
        jsops.add_js_form("mul", "x * y", None)
