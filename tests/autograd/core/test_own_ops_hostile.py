"""define_op rows used as a hostile user would: rules that go wrong away from the probe point,
complex results, a name redefined under old nodes, two threads defining one name."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import numpy as np
import pytest

import autograd
from autograd import OPS, GradcheckError, Value, define_op, grad, gradcheck, jvp, remove_op
from autograd.core.backends import FLOAT_MATH
from autograd.core.backward import backward_steps
from autograd.core.define import user_defined
from autograd.viz.explorer import recompute
from autograd.viz.explorer_page import graph_spec


@pytest.fixture
def defined() -> Iterator[Callable[..., autograd.Op]]:
    """define_op, with every row it made removed afterwards."""
    names: list[str] = []

    def define(name: str, **row: object) -> autograd.Op:
        op = define_op(name, **row)
        names.append(name)
        return op

    yield define
    for name in names:
        if name in user_defined():
            remove_op(name)


def _backward(out: Value, leaves: list[Value]) -> None:
    out.backward()


def _steps(out: Value, leaves: list[Value]) -> None:
    list(backward_steps(out))


def _grad(out: Value, leaves: list[Value]) -> None:
    grad(out, leaves)


def _second_order(out: Value, leaves: list[Value]) -> None:
    grad(out, leaves, create_graph=True)


ENGINES = [_backward, _steps, _grad, _second_order]


# -- 20.6: the count of derivatives, checked on every use ----------------------------------------


def _too_few(m, out, x, y):
    """Right at the probe point (0, 0), one derivative short anywhere else."""
    return (y + 1.0, x) if x == 0 and y == 0 else (y + 1.0,)


def _too_many(m, out, x):
    return (2.0,) if x == 0 else (2.0, 5.0)


@pytest.mark.parametrize("engine", ENGINES, ids=lambda e: e.__name__.strip("_"))
def test_too_few_derivatives_away_from_the_probe_name_the_op_in_every_engine(
    defined, engine
) -> None:
    few = defined("few", forward=lambda m, x, y: x * y + x, derivatives=_too_few)
    a, b = Value(1.0), Value(2.0)
    a.grad, b.grad = 0.25, 0.5
    out = few(a, b)
    with pytest.raises(TypeError, match=r"few: the derivative rule returned 1 derivative for 2 "):
        engine(out, [a, b])
    assert (a.grad, b.grad) == (0.25, 0.5)  # nothing changed


@pytest.mark.parametrize("engine", ENGINES, ids=lambda e: e.__name__.strip("_"))
def test_too_many_derivatives_away_from_the_probe_name_the_op_in_every_engine(
    defined, engine
) -> None:
    many = defined("many", forward=lambda m, x: 2.0 * x, derivatives=_too_many)
    a = Value(1.0)
    with pytest.raises(TypeError, match=r"many: the derivative rule returned 2 derivatives for 1 "):
        engine(many(a) * 3.0, [a])
    assert a.grad == 0.0


@pytest.mark.parametrize("rule", [_too_few, _too_many])
def test_jvp_of_a_rule_with_the_wrong_count_raises_instead_of_a_wrong_tangent(
    defined, rule
) -> None:
    if rule is _too_few:
        op = defined("few", forward=lambda m, x, y: x * y + x, derivatives=rule)
        f, point = (lambda x, y: op(x, y)), [1.0, 2.0]
    else:
        op = defined("many", forward=lambda m, x: 2.0 * x, derivatives=rule)
        f, point = (lambda x: op(x)), [1.0]
    with pytest.raises(TypeError, match=rf"{op.name}: the derivative rule returned"):
        jvp(f, point, [1.0] * len(point))


def test_a_rule_returning_a_bare_number_away_from_the_probe_names_the_op(defined) -> None:
    bare = defined(
        "bare",
        forward=lambda m, x: 3.0 * x,
        derivatives=lambda m, out, x: (3.0,) if x == 0 else 3.0,
    )
    with pytest.raises(TypeError, match=r"bare: the derivative rule returned float 3.0 at \(1.0\)"):
        bare(Value(1.0)).backward()


def test_compile_checks_the_count_on_arrays_too(defined) -> None:
    """The rule is right on floats and one short on NumPy arrays."""
    few = defined(
        "few_on_arrays",
        forward=lambda m, x, y: x * y,
        derivatives=lambda m, out, x, y: (y, x) if isinstance(x, float) else (y,),
    )
    w = Value(2.0)
    compiled = autograd.compile(lambda v: few(v[0], w), 1)
    with pytest.raises(TypeError, match=r"few_on_arrays: the derivative rule returned 1 deriv"):
        compiled.backward(np.array([[1.0], [3.0]]))
    assert w.grad == 0.0


def test_a_right_rule_still_gives_the_same_numbers_in_every_engine(defined) -> None:
    cube = defined(
        "cube",
        forward=lambda m, x, y: x * x * y,
        derivatives=lambda m, out, x, y: (2 * x * y, x * x),
    )
    a, b = Value(1.5), Value(-2.0)
    cube(a, b).backward()
    assert (a.grad, b.grad) == (2 * 1.5 * -2.0, 1.5 * 1.5)
    assert jvp(lambda x, y: cube(x, y), [1.5, -2.0], [1.0, 0.0]) == (1.5 * 1.5 * -2.0, -6.0)
    (second,) = grad(grad(cube(a, b), [a], create_graph=True)[0], [a])
    assert second.data == 2 * -2.0
    compiled = autograd.compile(lambda v: cube(v[0], v[1]), 2)
    assert compiled(np.array([[1.5, -2.0]])).tolist() == [1.5 * 1.5 * -2.0]


def test_integer_results_of_a_rule_become_floats(defined) -> None:
    twice = defined("twice", forward=lambda m, x: 2 * x, derivatives=lambda m, out, x: (2,))
    x = Value(3.0)
    y = twice(x)
    y.backward()
    assert type(y.data) is float and type(x.grad) is float and x.grad == 2.0


# -- 20.7: a complex result names the op ----------------------------------------------------------


def test_a_forward_returning_a_complex_number_names_the_op(defined) -> None:
    root = defined(
        "signed_root",
        forward=lambda m, x: x if x == 0 else (x**0.5 if isinstance(x, float) else x),
        derivatives=lambda m, out, x: (1.0,),
    )
    assert root(4.0).data == 2.0
    with pytest.raises(TypeError, match=r"signed_root: forward returned complex .* at \(-4.0\)"):
        root(Value(-4.0))


def test_a_forward_returning_complex_arrays_names_the_op_under_compile(defined) -> None:
    rotate = defined(
        "rotate",
        forward=lambda m, x: x if isinstance(x, float) else x * 1j,
        derivatives=lambda m, out, x: (1.0,),
    )
    compiled = autograd.compile(lambda v: rotate(v[0]), 1)
    with pytest.raises(TypeError, match=r"rotate: forward returned ndarray"):
        compiled(np.array([[1.0]]))


def test_a_derivative_returning_a_complex_number_names_the_op(defined) -> None:
    twisted = defined(
        "twisted",
        forward=lambda m, x: 2.0 * x,
        derivatives=lambda m, out, x: (2.0,) if x == 0 else (2.0 + 1j,),
    )
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"twisted: derivative 0 is complex \(2\+1j\) at \(1.0\)"):
        twisted(x).backward()
    assert x.grad == 0.0


# -- 20.8: a name redefined under old nodes -------------------------------------------------------


def _redefine(defined) -> tuple[autograd.Op, autograd.Op]:
    """f = 2x first, then (same name) f = 5x."""
    old = defined(
        "f", forward=lambda m, x: 2.0 * x, derivatives=lambda m, out, x: (2.0,), math="f = 2x"
    )
    remove_op(old)
    new = defined("f", forward=lambda m, x: 5.0 * x, derivatives=lambda m, out, x: (5.0,))
    return old, new


def test_jvp_and_forward_gradcheck_of_old_nodes_use_their_own_row(defined) -> None:
    old, new = _redefine(defined)
    assert jvp(lambda x: old(x), [1.0], [1.0]) == (2.0, 2.0)
    assert jvp(lambda x: new(x), [1.0], [1.0]) == (5.0, 5.0)
    assert gradcheck(lambda x: old(x) * x, [1.5], mode="forward")
    assert gradcheck(lambda x: old(x), [1.5], order=2, mode="forward")


def test_jvp_of_a_node_whose_op_was_removed_still_works(defined) -> None:
    gone = defined("gone", forward=lambda m, x: 3.0 * x, derivatives=lambda m, out, x: (3.0,))
    remove_op(gone)
    assert jvp(lambda x: gone(x), [1.0], [2.0]) == (3.0, 6.0)


def test_the_culprit_is_found_with_the_nodes_own_row(defined) -> None:
    """The old row's derivative is wrong; the right one now has its name."""
    wrong = defined("g", forward=lambda m, x: 2.0 * x, derivatives=lambda m, out, x: (7.0,))
    remove_op(wrong)
    defined("g", forward=lambda m, x: 2.0 * x, derivatives=lambda m, out, x: (2.0,))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x: wrong(x) + 0.0, [1.0])
    assert caught.value.culprit is not None and caught.value.culprit.op == "g"


def test_the_explorer_computes_old_nodes_with_their_own_row(defined) -> None:
    old, _ = _redefine(defined)
    x = Value(1.0, label="x")
    y = old(x) * 1.0
    spec = graph_spec(y)
    assert [node["grad"] for node in spec["nodes"] if node["name"] == "x"] == [2.0]
    order = autograd.topological_order(y)
    leaves = [v for v in order if v.is_leaf and v.label == "x"]
    shown = recompute(y, order, leaves, [3.0], 1e-3)
    assert y.data == 6.0 and x.grad == 2.0
    assert shown["local"][order.index(y.parents[0])] == [2.0]


# -- 20.9: define_op from two threads -------------------------------------------------------------


def test_two_threads_defining_one_name_one_wins_the_other_gets_the_usual_error() -> None:
    """Both threads are inside define_op (in the probe of their rules) before either registers."""
    inside = threading.Barrier(2, timeout=10)
    results: list[object] = [None, None]

    def forward(m, x):
        if m is FLOAT_MATH and x == 0.0 and not getattr(inside, "passed", False):
            inside.wait()  # the probe runs at 0, the middle of the domain
        return 2.0 * x

    def define(k: int) -> None:
        try:
            results[k] = define_op("raced", forward, lambda m, out, x: (2.0,))
        except ValueError as error:
            results[k] = error

    threads = [threading.Thread(target=define, args=(k,)) for k in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        inside.passed = True  # type: ignore[attr-defined]
        ops = [r for r in results if isinstance(r, autograd.Op)]
        errors = [r for r in results if isinstance(r, ValueError)]
        assert len(ops) == 1 and len(errors) == 1
        assert OPS["raced"] is ops[0]
        assert "'raced' is already in the table (an op you defined)" in str(errors[0])
    finally:
        if "raced" in OPS:
            remove_op("raced")


def test_the_explorer_page_never_recomputes_old_nodes_with_the_new_rows_js_form(defined) -> None:
    """JavaScript forms go by name: the page leaves an old node's op to the kernel instead."""
    old, new = _redefine(defined)  # the new row's JavaScript form is generated from its rules
    x = Value(1.0, label="x")
    old_spec, new_spec = graph_spec(old(x)), graph_spec(new(x))
    assert old_spec["missing"] == ["f"] and new_spec["missing"] == []
    assert old_spec["ops"]["f"]["math"] == old.math


def test_redefined_ops_names_removed_and_redefined_rows_only(defined) -> None:
    from autograd.core.define import redefined_ops

    old, new = _redefine(defined)
    gone = defined("gone", forward=lambda m, x: 3.0 * x, derivatives=lambda m, out, x: (3.0,))
    x = Value(1.0)
    nodes = [old(x), new(x), gone(x), x.tanh(), x]
    assert redefined_ops(nodes) == ["f"]
    remove_op(gone)
    assert redefined_ops(nodes) == ["f", "gone"]
