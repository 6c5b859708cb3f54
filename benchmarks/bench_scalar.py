"""Plain scalar programs on our ``Value`` against a minimal micrograd-style class.

The programs learners write use ``+ * / ** exp log relu`` on plain Values, with no ``nn`` fast
path. :class:`Tiny` below is the minimal design they are compared with: ``__slots__``, and each
node storing its local derivatives as a tuple when it is made (micrograd's ``-`` and ``/`` are
compositions: ``a - b = a + (-b)``, ``a / b = a * b**-1``); its backward walks an iterative
topological order and adds ``local * grad`` into each parent. It checks nothing; ours checks
every domain and refuses every non-finite number.

* ``nodes``: per op, the CPU nanoseconds per node made (a block of 256 of the same op, both
  classes alternating; the loop's own cost is in both);
* ``gpt``: one training step of examples/scalar_gpt.py (one document's loss, zero_grad,
  backward, its Adam), the same file run on our Value and on :class:`Tiny`;
* ``grad``: 200 calls of ``autograd.grad(loss, params, create_graph=True)`` on a small tanh
  network, this tree against a baseline tree (``BENCH_BASE``, default /work/bench-base) in
  subprocesses that alternate (skipped when the baseline is not there).

Run by ``benchmarks/run.py``; prints one JSON object on its last line.

    python benchmarks/bench_scalar.py [--quick]
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
from contextvars import ContextVar
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from common import alternate  # noqa: E402

from autograd import Value  # noqa: E402

NODE_LIMIT = 1.0  # issue 22: each op's node at most this x the minimal class's
GPT_TARGET = 2.0  # issue 22: the scalar GPT step at least this x faster than on the minimal class
GRAD_CALLS = 200


class Tiny:
    """A minimal scalar autograd node: the number, the grad, the parents and the local
    derivatives d(self)/d(parent), a tuple computed when the node is made."""

    __slots__ = ("_locals", "_parents", "data", "grad")

    def __init__(
        self, data: float, parents: tuple = (), local: tuple = (), label: str = ""
    ) -> None:
        # ``label`` is taken (examples/scalar_gpt.py names its weights) and not kept: minimal
        self.data = data
        self.grad = 0.0
        self._parents = parents
        self._locals = local

    def __add__(self, other: object) -> Tiny:
        other = other if isinstance(other, Tiny) else Tiny(other)
        return Tiny(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: object) -> Tiny:
        other = other if isinstance(other, Tiny) else Tiny(other)
        return Tiny(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, c: float) -> Tiny:
        return Tiny(self.data**c, (self,), (c * self.data ** (c - 1),))

    def exp(self) -> Tiny:
        e = math.exp(self.data)
        return Tiny(e, (self,), (e,))

    def log(self) -> Tiny:
        return Tiny(math.log(self.data), (self,), (1.0 / self.data,))

    def relu(self) -> Tiny:
        x = self.data
        return Tiny(x if x > 0.0 else 0.0, (self,), (1.0 if x > 0.0 else 0.0,))

    def __neg__(self) -> Tiny:
        return self * -1.0

    def __radd__(self, other: object) -> Tiny:
        return self + other

    def __sub__(self, other: object) -> Tiny:
        return self + (-other)

    def __rsub__(self, other: object) -> Tiny:
        return other + (-self)

    def __rmul__(self, other: object) -> Tiny:
        return self * other

    def __truediv__(self, other: object) -> Tiny:
        return self * other**-1

    def __rtruediv__(self, other: object) -> Tiny:
        return other * self**-1

    def backward(self) -> None:
        """Seed 1.0, then in reverse topological order add local * grad into each parent."""
        order, seen, stack = [], {self}, [(self, iter(self._parents))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if parent not in seen:
                    seen.add(parent)
                    stack.append((parent, iter(parent._parents)))
                    break
            else:
                stack.pop()
                order.append(node)
        self.grad = 1.0
        for node in reversed(order):
            g = node.grad
            for parent, local in zip(node._parents, node._locals):
                parent.grad += local * g


# -- per op: nanoseconds per node made --------------------------------------------------------

OPS = {
    "a + b": ("a + b", 0.7, 1.3),
    "a * b": ("a * b", 0.7, 1.3),
    "a - b": ("a - b", 0.7, 1.3),
    "a + 2.0 (a number)": ("a + 2.0", 0.7, 1.3),
    "a / b": ("a / b", 0.7, 1.3),
    "-a": ("-a", 0.7, 1.3),
    "a.exp()": ("a.exp()", 0.7, 1.3),
    "a.log()": ("a.log()", 0.7, 1.3),
    "a.relu()": ("a.relu()", 0.7, 1.3),
    "a ** -0.5": ("a ** -0.5", 0.7, 1.3),
}
OPS_PER_BLOCK = 256


def op_runner(expression: str, cls: type, x: float, y: float):
    """A function making ``OPS_PER_BLOCK`` nodes ``expression`` of ``a = cls(x)``, ``b =
    cls(y)``, the expression written out in the loop (no call in between)."""
    source = f"def run(a, b):\n    for _ in range({OPS_PER_BLOCK}):\n        {expression}\n"
    namespace: dict = {}
    exec(compile(source, f"<bench {expression}>", "exec"), namespace)
    run, a, b = namespace["run"], cls(x), cls(y)
    return lambda: run(a, b)


class Seven:
    """A diagnosis, not an engine: ``a + b`` written out by hand for one op, with what every
    node of ours records (our seven slots: the number, the grad, the backward scratch, the
    label, the op, the parents, the module call) and what it checks (a Value operand, a
    finite result, the recording flag), but no closure, no C call for the arithmetic and
    nothing shared with another op: what writing every op's node out in full would cost
    (issue 22's per-op target, against issue 21's one written node)."""

    __slots__ = ("_op", "_parents", "_scope", "_sum", "data", "grad", "label")

    def __init__(self, data: float) -> None:
        self.data, self.grad, self._sum, self.label = data, 0.0, 0.0, ""
        self._op, self._parents, self._scope = None, (), None

    def __add__(self, other: object) -> Seven:
        if type(other) is not Seven:
            return NotImplemented
        data = self.data + other.data
        if data - data:  # NaN for an infinity: the finiteness check
            raise OverflowError("add: result overflows a float")
        out = _new(Seven)
        out.data = data
        out.grad = 0.0
        out._sum = 0.0
        out.label = ""
        if _recording():
            out._op = "add"
            out._parents = (self, other)
            out._scope = _scope()
        else:
            out._op, out._parents, out._scope = None, (), None
        return out


_new = object.__new__
_recording = ContextVar("recording", default=True).get
_scope = ContextVar("scope", default=None).get


def seven_slots(rounds: int) -> dict:
    """``a + b`` on :class:`Seven` against the minimal class (CPU ns per node, alternating)."""
    times = alternate(
        {"seven": op_runner("a + b", Seven, 0.7, 1.3), "tiny": op_runner("a + b", Tiny, 0.7, 1.3)},
        rounds=rounds,
        block_seconds=0.02,
    )
    seven, tiny = (times[k]["cpu"] / OPS_PER_BLOCK * 1e9 for k in ("seven", "tiny"))
    return {"seven_ns": seven, "tiny_ns": tiny, "ratio": seven / tiny}


def node_table(rounds: int) -> dict:
    """Per op: CPU ns per node, ours and the minimal class's, alternating, and the ratio."""
    out = {}
    for name, (expression, x, y) in OPS.items():
        times = alternate(
            {"ours": op_runner(expression, Value, x, y), "tiny": op_runner(expression, Tiny, x, y)},
            rounds=rounds,
            block_seconds=0.02,
        )
        ours, tiny = (times[k]["cpu"] / OPS_PER_BLOCK * 1e9 for k in ("ours", "tiny"))
        out[name] = {"ours_ns": ours, "tiny_ns": tiny, "ratio": ours / tiny, "limit": NODE_LIMIT}
    return out


# -- the scalar GPT's training step on both classes -------------------------------------------


def load_gpt(cls: type) -> ModuleType:
    """examples/scalar_gpt.py as a module of its own whose ``Value`` is ``cls``."""
    spec = importlib.util.spec_from_file_location(
        f"scalar_gpt_{cls.__name__}", ROOT / "examples" / "scalar_gpt.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    module.Value = cls  # the functions read the global at call time
    return module


def gpt_step(cls: type, name: str = "emmanuel"):
    """One training step of the scalar GPT on ``cls``: one document's loss, zero_grad,
    backward, Adam."""
    gpt = load_gpt(cls)
    tokenizer = gpt.Tokenizer.from_names(gpt.load_names())
    params = gpt.Params(gpt.Config(tokenizer.vocab_size))
    adam = gpt.Adam(params.values(), lr=0.01)
    tokens = tokenizer.encode(name)

    def step() -> float:
        loss = gpt.document_loss(tokens, params, params.config)
        adam.zero_grad()
        loss.backward()
        adam.step()
        return loss.data

    return step


def gpt_ratio(rounds: int) -> dict:
    """The step on both classes, alternating; and again with the cyclic garbage collector off
    in both (a diagnosis: the collector's passes over the ~77,000 live nodes of a document are
    most of the forward's time on either class, and no node design in Python avoids them)."""
    ours, tiny = gpt_step(Value), gpt_step(Tiny)
    first = ours(), tiny()  # the same first loss: the same program
    times = alternate({"ours": ours, "tiny": tiny}, rounds=rounds, block_seconds=0.3)
    ours_s, tiny_s = times["ours"]["cpu"], times["tiny"]["cpu"]
    quiet = alternate(
        {"ours": ours, "tiny": tiny}, rounds=rounds, block_seconds=0.3, collector=False
    )
    return {
        "ours_s": ours_s,
        "tiny_s": tiny_s,
        "speedup": tiny_s / ours_s,
        "target": GPT_TARGET,
        "first_losses": first,
        "gc_off": {
            "ours_s": quiet["ours"]["cpu"],
            "tiny_s": quiet["tiny"]["cpu"],
            "speedup": quiet["tiny"]["cpu"] / quiet["ours"]["cpu"],
        },
    }


# -- grad(create_graph=True): this tree against a baseline tree --------------------------------

GRAD_PROGRAM = f"""
import gc, random, statistics, sys, time
import autograd
from autograd import Value

rng = random.Random(0)
xs = [Value(rng.uniform(-1, 1)) for _ in range(4)]
layers = [[([Value(rng.uniform(-1, 1)) for _ in range(n_in)], Value(0.0)) for _ in range(n_out)]
          for n_in, n_out in ((4, 8), (8, 8), (8, 1))]
params = [p for layer in layers for ws, b in layer for p in [*ws, b]]
h = xs
for layer in layers:
    h = [sum((w * x for w, x in zip(ws, h)), b).tanh() for ws, b in layer]
loss = (h[0] - 0.5) ** 2

def calls():
    for _ in range({GRAD_CALLS}):
        autograd.grad(loss, params, create_graph=True)

calls()
times = []
for _ in range(int(sys.argv[1])):
    gc.collect()
    start = time.process_time()
    calls()
    times.append(time.process_time() - start)
print(statistics.median(times))
"""


def grad_seconds(tree: Path, repeats: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, "-c", GRAD_PROGRAM, str(repeats)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
    )
    return float(done.stdout.strip().splitlines()[-1])


def grad_create_graph(rounds: int) -> dict:
    """CPU seconds of 200 ``grad(create_graph=True)`` calls, this tree and the baseline's,
    subprocesses alternating (each the median of 5 blocks)."""
    base = Path(os.environ.get("BENCH_BASE", "/work/bench-base"))
    ours, baseline = [], []
    for _ in range(rounds):
        ours.append(grad_seconds(ROOT, 5))
        if (base / "autograd").is_dir():
            baseline.append(grad_seconds(base, 5))
    out = {"calls": GRAD_CALLS, "ours_s": statistics.median(ours)}
    if baseline:
        out.update(base=str(base), base_s=statistics.median(baseline))
        out["ratio"] = out["ours_s"] / out["base_s"]
    return out


def table(quick: bool = False, only: tuple[str, ...] = ()) -> dict:
    """The parts (or those named in ``only``)."""
    parts = {
        "nodes": lambda: node_table(3 if quick else 7),
        "seven": lambda: seven_slots(3 if quick else 7),
        "gpt": lambda: gpt_ratio(3 if quick else 5),
        "grad": lambda: grad_create_graph(2 if quick else 4),
    }
    return {name: run() for name, run in parts.items() if not only or name in only}


def main() -> None:
    only = tuple(a for a in sys.argv[1:] if not a.startswith("--"))
    result = table("--quick" in sys.argv, only)
    for name, r in result.get("nodes", {}).items():
        print(f"{name:>20}: ours {r['ours_ns']:.0f} ns, minimal {r['tiny_ns']:.0f} ns, "
              f"{r['ratio']:.2f}x (limit {r['limit']}x)")  # fmt: skip
    if "seven" in result:
        r = result["seven"]
        print(f"a + b on a hand-written 7-slot node: {r['seven_ns']:.0f} ns, minimal "
              f"{r['tiny_ns']:.0f} ns, {r['ratio']:.2f}x")  # fmt: skip
    if "gpt" in result:
        g = result["gpt"]
        print(f"scalar GPT step: ours {g['ours_s'] * 1e3:.1f} ms, minimal {g['tiny_s'] * 1e3:.1f} "
              f"ms, {g['speedup']:.2f}x as fast (target >= {g['target']}x)")  # fmt: skip
        q = g["gc_off"]
        print(f"  with the collector off in both: ours {q['ours_s'] * 1e3:.1f} ms, minimal "
              f"{q['tiny_s'] * 1e3:.1f} ms, {q['speedup']:.2f}x as fast")  # fmt: skip
    if "grad" in result:
        g = result["grad"]
        base = f", baseline {g['base_s']:.4f} s ({g['ratio']:.2f}x)" if "base_s" in g else ""
        print(f"grad(create_graph=True) x{g['calls']}: ours {g['ours_s']:.4f} s{base}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
