"""The eager engine of another tree against this one, in alternating subprocesses (CPU-time
medians of 5 rounds): 200,000-node chains (y * c and y + c, GC off, forward and backward per node)
and micrograd's moons step written with nn.MLP. For "no row slower than before" checks:

    python benchmarks/compare_trees.py /path/to/old/checkout
"""

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CODE = r"""
import gc, json, sys, time
from autograd import Value
import nn
from nn.data import make_moons
def cpu(f):
    t = time.process_time(); f(); return time.process_time() - t
res = {}
# chain y = y * c, 200k nodes, GC off
gc.disable()
def chain_fwd():
    global y
    y = Value(1.0)
    for _ in range(200_000): y = y * 1.0000001
res["chain_mul_fwd_ns"] = cpu(chain_fwd) / 200_000 * 1e9
res["chain_mul_bwd_ns"] = cpu(lambda: y.backward()) / 200_000 * 1e9
def chain_add():
    global z
    z = Value(1.0)
    for _ in range(200_000): z = z + 1e-6
res["chain_add_fwd_ns"] = cpu(chain_add) / 200_000 * 1e9
res["chain_add_bwd_ns"] = cpu(lambda: z.backward()) / 200_000 * 1e9
gc.enable()
X, yy = make_moons(100, noise=0.1, seed=0)
model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
params = model.parameters()
def step():
    scores = [model(x) for x in X]
    loss = nn.hinge_loss(scores, [2*t-1 for t in yy]) + 1e-4 * sum(p * p for p in params)
    for p in params: p.grad = 0.0
    loss.backward()
    for p in params: p.data -= 0.01 * p.grad
step()
res["mlp_step_ms"] = min(cpu(step) for _ in range(5)) * 1e3
print(json.dumps(res))
"""


def main(old: str) -> None:
    trees = {"old": old, "new": str(Path(__file__).resolve().parents[1])}
    runs: dict[str, list[dict]] = {"old": [], "new": []}
    for _ in range(5):
        for name, path in trees.items():
            env = dict(os.environ, PYTHONPATH=path)
            out = subprocess.run(
                [sys.executable, "-c", CODE], env=env, capture_output=True, text=True, cwd=path
            )
            if out.returncode:
                sys.exit(f"{name} tree failed:\n{out.stderr[-2000:]}")
            runs[name].append(json.loads(out.stdout))
    for key in runs["old"][0]:
        before = statistics.median(r[key] for r in runs["old"])
        after = statistics.median(r[key] for r in runs["new"])
        print(f"{key:20s} old {before:9.1f} new {after:9.1f} new/old {after / before:5.2f}x")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python benchmarks/compare_trees.py OLD_CHECKOUT")
    main(sys.argv[1])
