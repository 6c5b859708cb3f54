"""One engine: nothing is put in place at import, and the code you read is the code that runs."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
from autograd import Value
from autograd.core import backward as reverse
from autograd.core import nary, value

ROOT = Path(__file__).resolve().parents[3]

# Snapshot, in a fresh interpreter, of Value's class dict and the engine modules' dicts,
# before and after importing autograd, nn and autograd.viz: the id of every attribute.
SNAPSHOT = r"""
import importlib, importlib.util, json, sys, types
from pathlib import Path

# The engine's modules, loaded before autograd/__init__.py runs: empty packages first, then
# the package files executed into them, as `import autograd` would.
packages = {"autograd": Path("autograd"), "autograd.core": Path("autograd/core")}
for name, folder in packages.items():
    package = types.ModuleType(name)
    package.__path__ = [str(folder.resolve())]
    package.__spec__ = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=package.__path__)
    package.__file__ = str(folder / "__init__.py")
    sys.modules[name] = package
names = ["autograd.core.value", "autograd.core.backward", "autograd.core.nary",
         "autograd.core.scope", "autograd.core.ops", "autograd.core.backends"]
for name in names:
    importlib.import_module(name)
from autograd.core.value import Constant, Value

def snapshot():
    classes = (Value, Constant)
    state = {f"{c.__name__}.{k}": id(v) for c in classes for k, v in vars(c).items()}
    for name in names:
        state.update({f"{name}.{k}": id(v) for k, v in vars(sys.modules[name]).items()
                      if not k.startswith("__")})
    return state

before = snapshot()
for name, folder in reversed(list(packages.items())):  # the packages' own code runs now
    init = folder / "__init__.py"
    exec(compile(init.read_text(), str(init), "exec"), sys.modules[name].__dict__)
import autograd, nn, autograd.viz
nn.MLP(2, [3, 1])([0.5, -0.5]).backward()
print(json.dumps([before, snapshot()]))
"""


def test_importing_autograd_nn_and_viz_replaces_no_attribute() -> None:
    run = subprocess.run(
        [sys.executable, "-c", SNAPSHOT], capture_output=True, text=True, cwd=ROOT, check=True
    )
    before, after = json.loads(run.stdout)
    changed = sorted(k for k in before if after.get(k) != before[k])
    assert changed == []


def test_the_snapshot_sees_a_replaced_attribute() -> None:
    # The test must be able to fail: a patch at import shows as a changed id.
    patched = SNAPSHOT.replace(
        "import autograd, nn, autograd.viz",
        "import autograd, nn, autograd.viz\nValue.__mul__ = Value.__add__",
    )
    run = subprocess.run(
        [sys.executable, "-c", patched], capture_output=True, text=True, cwd=ROOT, check=True
    )
    before, after = json.loads(run.stdout)
    assert [k for k in before if after.get(k) != before[k]] == ["Value.__mul__"]


PUBLIC_METHODS = [
    "apply",
    "backward",
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__pow__",
    "__rpow__",
    "__neg__",
    "__abs__",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "softplus",
    "sin",
    "cos",
]


def _function(attribute: object) -> object:
    return attribute.__func__ if isinstance(attribute, staticmethod) else attribute


@pytest.mark.parametrize("name", PUBLIC_METHODS)
def test_each_method_is_code_in_value_py_named_as_called(name: str) -> None:
    function = _function(Value.__dict__[name])
    code = function.__code__
    assert Path(code.co_filename).resolve() == Path(value.__file__).resolve()
    assert function.__name__ == name and function.__qualname__ == f"Value.{name}"
    lines, first = inspect.getsourcelines(function)
    assert first == code.co_firstlineno  # the source shown is the code object's own
    assert lines[0].lstrip().startswith(("def ", "@"))
    assert function.__doc__  # help() says what it computes


@pytest.mark.parametrize(
    ("public", "module"),
    [
        ("backward", reverse),
        ("topological_order", reverse),
        ("sum", nary),
        ("dot", nary),
        ("affine", nary),
        ("logsumexp", nary),
        ("scaled_log", nary),
    ],
)
def test_the_public_functions_are_the_engine_modules_own(public: str, module: object) -> None:
    function = getattr(autograd, public)
    assert function is getattr(module, public)
    assert Path(inspect.getsourcefile(function)).resolve() == Path(module.__file__).resolve()
    assert inspect.getsource(function).startswith(f"def {public}(")


def test_value_backward_runs_the_float_loop_of_backward_py(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(value, "backward", lambda root: calls.append(root))
    x = Value(2.0)
    x.backward()
    assert calls == [x]
    assert "backward(self)" in inspect.getsource(Value.backward)
