"""`make demo`: the neuron of the notes, tanh(w1*x1 + w2*x2 + b), backpropagated by hand and by
`backward()`; its graph goes to demo-output/ when Graphviz is installed."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograd import Value

OUTPUT = Path("demo-output")


def neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    z = x1 * w1 + x2 * w2 + b
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    a.backward()
    print("A neuron: a = tanh(w1*x1 + w2*x2 + b)")
    print(f"  z = {z.data:.6f}, a = {a.data:.6f}")
    print("  chain rule: da/dw1 = da/dz * dz/dw1 = (1 - a^2) * x1")
    print(f"             = {1 - a.data**2:.6f} * {x1.data} = {(1 - a.data**2) * x1.data:.6f}")
    print("  gradients from backward():")
    for leaf in (x1, w1, x2, w2, b):
        print(f"    d a / d {leaf.label:<2} = {leaf.grad: .6f}")
    return a


def write_graph(root: Value) -> None:
    if shutil.which("dot") is None:
        print("  (Graphviz's `dot` is not installed: no picture; apt install graphviz)")
        return
    from autograd import draw_dot
    from autograd.viz import backward_frames

    OUTPUT.mkdir(exist_ok=True)
    path = draw_dot(root).render(OUTPUT / "neuron", format="svg", cleanup=True)
    print(f"  graph written to {path}")
    path = draw_dot(root, edge_labels=True).render(
        OUTPUT / "neuron-chain-rule", format="svg", cleanup=True
    )
    print(f"  the same with each edge's local derivative: {path}")
    frames = backward_frames(root, save=OUTPUT / "neuron-backprop.html")
    print(
        f"  backprop in {len(frames)} steps (open in a browser): {OUTPUT / 'neuron-backprop.html'}"
    )


if __name__ == "__main__":
    write_graph(neuron())
