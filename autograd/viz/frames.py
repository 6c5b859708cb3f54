"""Backpropagation, one step at a time: a drawing per step of the backward pass.

The steps follow :func:`autograd.core.backward` exactly: seed the root's gradient with 1, then visit
the ops in reverse topological order; each passes its (complete) gradient ``g`` to every input,
which receives ``g * d out / d input`` from the op table. The gradients shown are computed here,
for this pass only (leaves start from 0); no ``.grad`` field is changed.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..core.backward import backward_steps, topological_order
from ..core.ops import OPS
from ..core.value import Constant, Value
from .draw import Style, draw_styled
from .files import write_atomic
from .graph import Graph
from .text import number, value_names


class Frame(Graph):
    """One step of the backward pass, drawn. ``grads`` maps ``id(value)`` to its gradient so far
    (absent: not reached yet); ``current`` is the Value whose op is being processed (``None`` at
    the seed step); ``step`` counts from 0."""

    step: int = 0
    current: Value | None = None
    grads: dict[int, float]

    def grad_of(self, value: Value) -> float | None:
        """d root / d value as known at this step (``None`` before any gradient reached it)."""
        return self.grads.get(id(value))


def backward_frames(root: Value, save: str | Path | None = None, **options: Any) -> list[Frame]:
    """One drawing per step of ``root``'s backward pass: the seed, then one per op.

    The node being processed is orange, the inputs that just received gradient have a red
    outline, and grads not reached yet show as "?". ``options`` are those of
    :func:`autograd.draw_dot`. With ``save="steps.gif"`` or ``"steps.html"`` the frames are also
    written to that file (see :func:`write_frames`).
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_frames: root must be a Value, got {type(root).__name__}")
    order = topological_order(root)
    names = value_names(order)
    fmt = options.get("fmt", ".4f")
    ops_total = sum(1 for v in order if not v.is_leaf)
    grads: dict[int, float] = {id(root): 1.0}

    def frame(step: int, node: Value | None, updated: set[int], caption: str) -> Frame:
        style = Style(
            grads=dict(grads), current=id(node or root), updated=frozenset(updated), caption=caption
        )
        graph = draw_styled(root, style=style, graph_class=Frame, **options)
        assert isinstance(graph, Frame)
        graph.step, graph.current, graph.grads = step, node, style.grads
        return graph

    frames = [frame(0, None, set(), f"step 0 of {ops_total}: seed grad({names[id(root)]}) = 1")]
    for node, g, local in backward_steps(root):  # the engine's own reverse loop
        if node.is_leaf:
            continue
        op = OPS[node.op]
        updated: set[int] = set()
        sums = []
        for parent, d in zip(node.parents, local):
            grads[id(parent)] = grads.get(id(parent), 0.0) + g * d
            updated.add(id(parent))
            if isinstance(parent, Constant) and not parent.label:
                continue  # a bare number such as the 2 of 2 * x: its grad serves nothing
            sums.append(f"grad({names[id(parent)]}) += {number(g, fmt)} × {number(d, fmt)}")
        if len(sums) > 4:
            sums[3:] = [f"... ({len(sums) - 3} more)"]
        caption = (
            f"step {len(frames)} of {ops_total}: the {op.label} op that made {names[id(node)]} "
            f"passes back its grad {number(g, fmt)} times each local derivative:\n"
            + (";  ".join(sums) or "its inputs are all constants")
        )
        frames.append(frame(len(frames), node, updated, caption))
    if save is not None:
        write_frames(frames, save)
    return frames


def write_frames(frames: list[Frame], path: str | Path, duration_ms: int = 900) -> Path:
    """Write ``frames`` as an animated GIF (``.gif``, needs Pillow) or a self-contained HTML page
    with a slider (``.html``). Both need Graphviz's ``dot``."""
    path = Path(path)
    if not frames:
        raise ValueError("write_frames: no frames to write")
    suffix = path.suffix.lower()
    if suffix == ".gif":
        _write_gif(frames, path, duration_ms)
    elif suffix in (".html", ".htm"):
        _write_html(frames, path)
    else:
        raise ValueError(f"write_frames: {path.name!r} must end in .gif or .html")
    return path


def _write_gif(frames: list[Frame], path: Path, duration_ms: int) -> None:
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("write_frames: a GIF needs Pillow: pip install pillow") from error
    images = [Image.open(io.BytesIO(f.pipe(format="png"))).convert("RGB") for f in frames]
    width = max(image.width for image in images)
    height = max(image.height for image in images)
    canvases = []
    for image in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(image, ((width - image.width) // 2, 0))
        canvases.append(canvas)
    gif = io.BytesIO()
    canvases[0].save(
        gif, format="GIF", save_all=True, append_images=canvases[1:], duration=duration_ms, loop=0
    )
    write_atomic(path, gif.getvalue())


_STEPS_CONTROLS = """<div id="controls">
<button id="back" type="button" aria-label="previous step">&#9664;</button>
<input id="step" type="range" min="0" max="{last}" value="0" aria-label="step">
<button id="next" type="button" aria-label="next step">&#9654;</button>
<span id="where">step 0 of {last}</span>
</div>
<style>.frame {{ display: none; }} .frame.shown {{ display: block; }}
#controls {{ margin-bottom: 1em; }} #step {{ width: 40em; max-width: 60vw; }}</style>"""

_STEPS_SCRIPT = """const frames = document.querySelectorAll(".frame");
const slider = document.getElementById("step");
const last = frames.length - 1;
function show(k) {
  frames.forEach((f, i) => f.classList.toggle("shown", i === k));
  slider.value = k;
  document.getElementById("where").textContent = "step " + k + " of " + last;
}
slider.addEventListener("input", () => show(Number(slider.value)));
document.getElementById("back").onclick = () => show(Math.max(0, Number(slider.value) - 1));
document.getElementById("next").onclick = () => show(Math.min(last, Number(slider.value) + 1));"""


def steps_document(frames: list[Frame]) -> str:
    """The frames as one self-contained HTML page with a slider (JavaScript, inline) through
    them; each frame fitted to the page's width. Needs Graphviz's ``dot``."""
    from .page import graph_html, page

    if not frames:
        raise ValueError("steps_document: no frames to show")
    parts = []
    for k, frame in enumerate(frames):
        shown = " shown" if k == 0 else ""
        parts.append(f'<div class="frame{shown}" id="frame-{k}">\n{graph_html(frame)}</div>')
    body = _STEPS_CONTROLS.format(last=len(frames) - 1) + "\n" + "\n".join(parts)
    return page("Backpropagation, step by step", body, _STEPS_SCRIPT)


def _write_html(frames: list[Frame], path: Path) -> None:
    write_atomic(path, steps_document(frames))


def step_backward(root: Value, **options: Any) -> Any:
    """A Jupyter widget: a slider (and play button) through :func:`backward_frames`.

    Shows SVGs rendered by ``dot``; without ``dot`` it draws with graphviz-anywidget instead.
    The output also carries the last step as a static picture (for GitHub, nbconvert and
    notebooks saved without widget state); :func:`autograd.viz.to_html` writes the slider as a
    page. Needs ipywidgets (``pip install 'seegrad[widgets]'``).
    """
    try:
        import ipywidgets
    except ImportError as error:
        raise ImportError(
            "step_backward needs ipywidgets: pip install 'seegrad[widgets]' "
            "(or write the frames to a file: backward_frames(root, save='steps.html'))"
        ) from error
    import shutil

    frames = backward_frames(root, **options)
    last = len(frames) - 1
    slider = ipywidgets.IntSlider(
        value=0, min=0, max=last, description="step", continuous_update=True
    )
    play = ipywidgets.Play(value=0, min=0, max=last, interval=1200, description="play")
    ipywidgets.jslink((play, "value"), (slider, "value"))
    if shutil.which("dot") is not None:
        from .step_view import step_picture

        svgs: dict[int, str] = {}
        view = step_picture()  # scrolls the node being processed into view

        def show(k: int) -> None:
            if k not in svgs:
                svgs[k] = frames[k].html()  # fitted to the column, the caption as text
            view.value = svgs[k]
    else:
        from .dotwidget import widget_for_source

        view = widget_for_source(frames[0].source)
        graph = view.children[-1]  # the graph itself, below its controls

        def show(k: int) -> None:
            graph.dot_source = frames[k].source

    show(0)
    slider.observe(lambda change: show(change["new"]), names="value")
    from .widget import static_graph_html, with_static_picture

    note = (
        f"Backpropagation in {last} steps, shown here at the last one (every gradient known): "
        "run the notebook in Jupyter to step through it, or write it to a page with "
        "autograd.viz.to_html."
    )
    return with_static_picture(
        [ipywidgets.HBox([play, slider]), view],
        lambda: static_graph_html(frames[-1], note),
        lambda: steps_document(frames),
    )
