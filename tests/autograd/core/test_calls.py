"""record_calls(): Values made inside remember the user's function calls, as a tree."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

import autograd
from autograd import Value
from autograd.core import calls as calls_module
from autograd.core import scope as scope_module
from autograd.core.calls import Call, record_calls

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples"))
import scalar_gpt


def names(value: Value) -> list[str]:
    return [getattr(s, "key", None) or s.name for s in value.scope.path()]


def square_plus_one(x: Value) -> Value:
    return x * x + 1.0


def test_a_value_remembers_the_call_that_made_it() -> None:
    x = Value(2.0)
    with record_calls() as rec:
        y = square_plus_one(x)
    assert names(y) == ["square_plus_one#1"]
    (root,) = rec.roots
    assert isinstance(root, Call) and root.name == "square_plus_one" and root.number == 1
    assert root.file == __file__ and root.line == square_plus_one.__code__.co_firstlineno
    assert y.parents[0].scope is root and x.scope is None


def test_outside_the_block_nothing_is_recorded_and_the_getter_is_back() -> None:
    x = Value(2.0)
    with record_calls():
        pass
    assert square_plus_one(x).scope is None
    assert calls_module._session is None
    import autograd
    from autograd.core import nary, value
    from nn import layer_call

    for module in (value, nary, layer_call, autograd):
        if hasattr(module, "current_scope"):
            assert module.current_scope is scope_module.current_scope


def outer(x: Value) -> Value:
    return inner(x) * 2.0


def inner(x: Value) -> Value:
    return x + 1.0


def test_nested_calls_form_a_tree_and_are_numbered_per_function() -> None:
    x = Value(1.0)
    with record_calls() as rec:
        a, b = outer(x), outer(x)
    assert [r.key for r in rec.roots] == ["outer#1", "outer#2"]
    assert [c.key for c in rec.roots[1].children] == ["inner#2"]
    assert names(b.parents[0]) == ["outer#2", "inner#2"]
    assert names(a) == ["outer#1"]
    assert [c.key for c in rec.calls()] == ["outer#1", "inner#1", "outer#2", "inner#2"]
    assert [c.key for c in rec.find("outer/inner#2")] == ["inner#2"]
    assert [c.key for c in rec.find("inner")] == ["inner#1", "inner#2"]
    assert len(rec.find("outer")) == 2


def countdown(x: Value, n: int) -> Value:
    return x if n == 0 else countdown(x * 1.0, n - 1)


def test_recursion_makes_one_call_per_level() -> None:
    with record_calls() as rec:
        y = countdown(Value(1.0), 3)
    assert names(y) == ["countdown#1", "countdown#2", "countdown#3"]
    assert [c.key for c in rec.calls()] == ["countdown#1", "countdown#2", "countdown#3"]


def doubles(xs: list[Value]):
    for x in xs:
        yield x * 2.0


def consume(xs: list[Value]) -> list[Value]:
    return [d + 1.0 for d in doubles(xs)]


def test_a_generator_is_one_call_across_its_resumptions() -> None:
    xs = [Value(1.0), Value(2.0), Value(3.0)]
    with record_calls() as rec:
        out = consume(xs)
    assert [names(o.parents[0]) for o in out] == [["consume#1", "doubles#1"]] * 3
    assert [names(o) for o in out] == [["consume#1"]] * 3
    assert [c.key for c in rec.calls()] == ["consume#1", "doubles#1"]


class Affine:
    def __init__(self, w: float) -> None:
        self.w = Value(w)

    def apply(self, x: Value) -> Value:
        return self.w * x


def test_lambdas_and_methods_are_calls() -> None:
    twice = lambda x: x * 2.0  # noqa: E731  (a lambda is the point)
    with record_calls():
        y = twice(Value(1.0))
        z = Affine(3.0).apply(Value(1.0))
    assert names(y) == ["test_lambdas_and_methods_are_calls.<lambda>#1"]
    assert names(z) == ["Affine.apply#1"]


def failing(x: Value) -> Value:
    x * 3.0
    raise RuntimeError("boom")


def test_an_exception_inside_leaves_the_tree_and_the_getter_right() -> None:
    x = Value(1.0)
    with pytest.raises(RuntimeError), record_calls():
        failing(x)
    with record_calls() as rec:
        try:
            failing(x)
        except RuntimeError:
            pass
        y = inner(x)
    assert [r.key for r in rec.roots] == ["failing#1", "inner#1"]
    assert names(y) == ["inner#1"]
    assert calls_module._session is None and inner(x).scope is None


def test_recordings_nest() -> None:
    x = Value(1.0)
    with record_calls() as outer_rec:
        a = inner(x)
        with record_calls() as inner_rec:
            b = outer(x)
        c = inner(x)
    assert [r.key for r in outer_rec.roots] == ["inner#1", "outer#1", "inner#3"]
    assert [r.key for r in inner_rec.roots] == ["outer#1"]
    assert names(b.parents[0]) == ["outer#1", "inner#2"]
    assert names(a) == ["inner#1"] and names(c) == ["inner#3"]


def test_threads_started_inside_each_have_their_own_stack() -> None:
    results: dict[int, Value] = {}
    barrier = threading.Barrier(2)

    def work(k: int) -> None:
        barrier.wait()  # both threads inside their calls at the same time
        results[k] = outer(Value(float(k)))

    with record_calls() as rec:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for y in results.values():
        path = y.parents[0].scope.path()
        assert [s.name for s in path] == [
            "test_threads_started_inside_each_have_their_own_stack.work",
            "outer",
            "inner",
        ]
        assert path[1].parent is path[0]
    roots = {r.key for r in rec.roots}
    assert roots == {
        "test_threads_started_inside_each_have_their_own_stack.work#1",
        "test_threads_started_inside_each_have_their_own_stack.work#2",
    }


def test_a_thread_running_before_the_block_is_not_recorded() -> None:
    go, done = threading.Event(), threading.Event()
    out: list[Value] = []

    def background() -> None:
        go.wait()
        out.append(inner(Value(1.0)))
        done.set()

    thread = threading.Thread(target=background)
    thread.start()
    with record_calls() as rec:
        go.set()
        done.wait()
    thread.join()
    assert out[0].scope is None and rec.roots == []


def test_an_nn_module_call_is_part_of_the_same_tree() -> None:
    nn = pytest.importorskip("nn")
    model = nn.MLP(2, [3, 1])

    def predict(x: list[float]) -> Value:
        return model(x)

    with record_calls() as rec:
        y = predict([1.0, 2.0])
    path = y.scope.path()
    assert isinstance(path[0], Call) and path[0].name.endswith("predict")
    assert path[1].module is model
    assert rec.roots == [path[0]]


def test_no_number_changes_the_scalar_gpt_loss_is_bit_identical() -> None:
    names_ = scalar_gpt.load_names()[:50]
    tok = scalar_gpt.Tokenizer.from_names(names_)
    config = scalar_gpt.Config(tok.vocab_size, n_embd=8, n_head=4)
    params = scalar_gpt.Params(config)
    tokens = tok.encode(names_[0])
    plain = scalar_gpt.document_loss(tokens, params, config)
    plain.backward()
    grads = [p.grad for p in params.values()]
    for p in params.values():
        p.grad = 0.0
    with record_calls() as rec:
        recorded = scalar_gpt.document_loss(tokens, params, config)
    recorded.backward()
    assert recorded.data.hex() == plain.data.hex()
    assert [p.grad.hex() for p in params.values()] == [g.hex() for g in grads]
    assert [r.name for r in rec.roots] == ["document_loss"]
    inside = {c.name for c in rec.calls()}
    assert {"gpt", "attention", "mlp", "linear", "rmsnorm", "softmax"} <= inside


def test_record_calls_is_exported() -> None:
    assert autograd.record_calls is record_calls
    assert "record_calls" in autograd.__all__
