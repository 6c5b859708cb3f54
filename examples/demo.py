"""`make demo`: the neuron of the notes, tanh(w1*x1 + w2*x2 + b), backpropagated by hand and by
`backward()`; then an MLP(2, [16, 16, 1]) trained on two moons. Pictures go to demo-output/:
the loss curve, the decision boundary, the trained network (network.svg) and (with Graphviz) the
graph of one forward pass."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import nn
from autograd import Value
from nn.data import make_moons, train_test_split

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


def train_moons(compiled: bool = True) -> None:
    print("\nAn MLP(2, [16, 16, 1]) learns to tell two moons apart")
    X, y = make_moons(300, noise=0.1, seed=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, seed=0)
    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=0)
    print(f"  {model}: {len(model.parameters())} parameters, {len(X_train)} training points")
    print("  loss: binary cross-entropy of sigmoid(output); optimizer: Adam(lr=0.02)")
    start = time.perf_counter()
    history = nn.fit(
        model,
        X_train,
        y_train,
        loss="bce_logits",
        optimizer=nn.Adam(model.parameters(), lr=0.02),
        epochs=50,
        batch_size=20,
        compiled=compiled,
    )
    seconds = time.perf_counter() - start
    train = nn.evaluate(model, X_train, y_train, loss="bce_logits")
    test = nn.evaluate(model, X_test, y_test, loss="bce_logits")
    engine = "autograd.compile (whole batches on NumPy)" if compiled else "the eager engine"
    print(f"  trained in {seconds:.1f} s with {engine}")
    print(
        f"  accuracy: {train['accuracy']:.1%} on training points, {test['accuracy']:.1%} on "
        f"{len(X_test)} held-out points"
    )
    write_network(model, X_test[0])
    try:
        import matplotlib

        matplotlib.use("Agg")
        from nn import plots
    except ImportError:
        print("  (matplotlib is not installed: no pictures; pip install 'seegrad[plots]')")
        return
    OUTPUT.mkdir(exist_ok=True)
    plots.plot_loss(history, OUTPUT / "loss.png")
    plots.plot_decision_boundary(  # the held-out points only: those the title's accuracy is of
        model, X_test, y_test, OUTPUT / "decision_boundary.png",
        title=f"MLP(2, [16, 16, 1]) on moons\n{test['accuracy']:.1%} right of the "
        f"{len(X_test)} held-out points shown",
    )  # fmt: skip
    print(f"  pictures written to {OUTPUT / 'loss.png'} and {OUTPUT / 'decision_boundary.png'}")


def write_network(model: nn.MLP, sample) -> None:
    """The trained model as a network picture: a line per weight, each neuron's activation for
    one held-out point (SVG, and an HTML page that fits any window)."""
    from autograd import viz

    OUTPUT.mkdir(exist_ok=True)
    view = viz.draw_network(model, sample=sample)
    svg = view.save(OUTPUT / "network.svg")
    page = viz.to_html(view, OUTPUT / "network.html")
    point = ", ".join(f"{x:.2f}" for x in sample)
    print(f"  network view (weights, activations for the held-out point ({point})): {svg}, {page}")


def small_network_graph() -> None:
    print("\nOne forward and backward pass of a small network, MLP(2, [3, 1]), as a graph")
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([1.0, -0.5])
    out.label = "out"
    out.backward()
    print(f"  out = {out.data:.6f}; each neuron is one Σ w·x + b node, then its activation")
    if shutil.which("dot") is None:
        print("  (Graphviz's `dot` is not installed: no picture; apt install graphviz)")
        return
    try:
        from autograd import draw_dot
    except (ImportError, AttributeError):
        print("  (this version of autograd has no draw_dot yet: no graph picture)")
        return
    try:
        graph = draw_dot(out, cluster="module")  # a box around each neuron and layer
    except (TypeError, ValueError):  # a draw_dot without that option
        graph = draw_dot(out)
    OUTPUT.mkdir(exist_ok=True)
    path = graph.render(OUTPUT / "mlp_forward", format="svg", cleanup=True)
    print(f"  graph written to {path}")


if __name__ == "__main__":
    # `--eager` trains Value by Value (about 5-10 s) instead of with autograd.compile.
    write_graph(neuron())
    train_moons(compiled="--eager" not in sys.argv[1:])
    small_network_graph()
