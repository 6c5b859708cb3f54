"""The trace guard's contract: the watched reads are listed from Value, each one is refused
while tracing, and the engine's own reads are not."""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd
from autograd import Value
from autograd.compiler import TraceError, guard
from autograd.compiler.guard import WATCHED, watched_reads

# Called on a Value, these are not reads of its number: constructors, mutators, pickling,
# and printing (documented as unwatched).
NOT_READS = {
    "__init__", "__new__", "__setattr__", "__delattr__", "__init_subclass__", "__subclasshook__",
    "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__", "__dir__", "__class__",
    "__getattribute__", "__repr__", "__str__", "backward", "apply",
}  # fmt: skip
TRIALS = [(), (Value(2.0),), (".3f",)]


def hands_out_the_number(name: str) -> bool:
    """Does ``v.<name>`` (an attribute, or a call with some argument) give something that is
    not a Value and that changes when ``v.data`` changes?"""

    def read(v: Value) -> object:
        attribute = getattr(v, name)
        if not callable(attribute):
            return attribute
        for args in TRIALS:
            try:
                return attribute(*args)
            except TypeError:
                continue
        return None

    v = Value(1.25)
    before = read(v)
    v.data = 2.5
    after = read(v)
    if isinstance(before, Value) or before is NotImplemented or before is None:
        return False
    return before != after


def test_the_watched_reads_are_every_way_value_hands_out_its_number():
    found = {
        name
        for name in dir(Value)
        if name not in NOT_READS
        and not (name.startswith("_") and not name.startswith("__"))
        and hands_out_the_number(name)
    }
    assert found == set(WATCHED)
    assert WATCHED[0] == "data"


def test_the_list_is_derived_from_the_class():
    class WithInt(Value):
        __slots__ = ()

        def __int__(self) -> int:
            return int(self.data)

    assert "__int__" not in WATCHED
    assert set(watched_reads(WithInt)) == {*WATCHED, "__int__"}


def test_the_docstring_states_the_contract():
    for name in WATCHED:
        assert f"``{name}``" in guard.__doc__


def read_of(name: str):
    if name == "data":
        return lambda v: v.data
    return lambda v: getattr(v, name)(*next(args for args in TRIALS if _accepts(v, name, args)))


def _accepts(v: Value, name: str, args: tuple) -> bool:
    try:
        getattr(v, name)(*args)
    except TypeError:
        return False
    return True


@pytest.mark.parametrize("name", WATCHED)
@pytest.mark.parametrize("whose", ["input", "parameter", "node"])
def test_each_watched_read_while_tracing_raises(name, whose):
    w = Value(0.5, label="w")
    read = read_of(name)

    def fn(v):
        target = {"input": v[0], "parameter": w, "node": v[0] * w}[whose]
        read(target)
        return v[0] * w

    what = {"input": "input 0", "parameter": "parameter 'w'", "node": "node fn built"}[whose]
    with pytest.raises(TraceError, match=rf"{what}.*while being traced.*test_guard\.py"):
        autograd.compile(fn, 1)
    # Nothing stays watched afterwards.
    assert read(w) is not None
    assert type(Value.__dict__["data"]).__name__ == "member_descriptor"


def test_the_engine_reads_numbers_freely_while_tracing():
    """Every op row, the n-ary nodes and nn layers compute their numbers during a trace."""
    import nn

    model = nn.MLP(3, [4, 2], seed=0)
    w = Value(0.3)

    def fn(v):
        out = model(v)
        z = autograd.dot([w, w], out) + autograd.sum(v).tanh() + (v[0] ** 2).exp() / (1 + w)
        return z.relu() + abs(-z).log() - z.sigmoid()

    compiled = autograd.compile(fn, 3)
    X = np.random.default_rng(0).uniform(0.1, 1.0, size=(4, 3))
    with autograd.no_grad():
        eager = [fn([Value(float(x)) for x in row]).data for row in X]
    np.testing.assert_allclose(compiled(X), eager, rtol=1e-12)


def test_the_guard_is_not_decided_by_the_file_of_the_caller():
    """A function of the user's whose module claims to be the engine's is still refused when
    it goes through a watched method (a comparison)."""
    namespace = {"__name__": guard.ENGINE_PACKAGE + ".pretend"}
    exec("def branch(v):\n    return v[0] * 2 if v[0] > 0.1 else v[0] * 3\n", namespace)
    with pytest.raises(TraceError, match="a comparison"):
        autograd.compile(namespace["branch"], 1)


def test_a_node_factory_elsewhere_declares_itself():
    """Code outside the engine package that computes node numbers (a layer's fast path in nn)
    says so with ``__autograd_engine__ = True``; without it, its read is refused."""
    source = "def double(v):\n    return v * v.data\n"
    for marked in (False, True):
        namespace = {"__name__": "somewhere.factory"}
        if marked:
            namespace[guard.ENGINE_MARKER] = True
        exec(source, namespace)
        if marked:
            autograd.compile(lambda v, f=namespace["double"]: f(v[0]), 1)
        else:
            with pytest.raises(TraceError, match=r"reading \.data"):
                autograd.compile(lambda v, f=namespace["double"]: f(v[0]), 1)


@pytest.mark.parametrize("read", ["data", "comparison", "item"])
def test_a_read_after_the_engine_read_many_numbers_is_still_refused(read):
    """The guard remembers the last frame it found reading as the engine (a layer reads all
    its weights from one frame); a read of the user's, in the same trace and right after a
    layer of engine reads, is refused all the same."""
    import nn

    layer = nn.Layer(3, 4, activation="tanh", seed=0)

    def fn(v):
        out = layer(v)  # the engine reads 12 weights and 3 inputs here
        if read == "data":
            return out[0] * out[1].data
        if read == "comparison":
            return out[0] if out[0] > out[1] else out[1]
        return out[0] * out[1].item()

    how = {"data": "reading .data", "comparison": "a comparison", "item": "v.item()"}[read]
    with pytest.raises(TraceError, match=re.escape(how)):
        autograd.compile(fn, 3)
    assert guard._engine_caller == [None]  # the frame is let go when the trace ends
