"""Execute notebooks in place and normalise them, so a re-run gives a small, stable diff.

    python scripts/run_notebooks.py                 # every notebooks/*.ipynb (`make notebooks`)
    python scripts/run_notebooks.py notebooks/02_backprop_by_hand.ipynb
    python scripts/run_notebooks.py --check         # only check the committed files, run nothing

Each notebook runs top to bottom in a fresh kernel whose working directory is notebooks/. The
first cell that raises stops the run and the file is left as it was. After a run the notebook is
normalised: execution counts are 1, 2, 3, ... in cell order, timing metadata and widget state
are dropped (a widget's output keeps only a static note, since its state is not saved), and the
language metadata loses the Python version. A notebook must stay under 1 MB.

A code cell tagged `readme-image` has its first picture (PNG, else SVG) saved as
docs/images/<notebook>.png (or .svg), the notebook's picture in the README, so the picture is
always the notebook's current output.
"""

from __future__ import annotations

import argparse
import base64
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
IMAGES = ROOT / "docs" / "images"
README_TAG = "readme-image"
MAX_BYTES = 1_000_000
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = "(An interactive widget: run this notebook in Jupyter to use it.)"
# Only what nbconvert and Jupyter need to highlight code; the version would make every
# machine's run differ.
KEPT_LANGUAGE_INFO = ("name", "codemirror_mode", "file_extension", "mimetype", "pygments_lexer")


def notebook_paths(paths: list[str] | None = None) -> list[Path]:
    if paths:
        return [Path(p).resolve() for p in paths]
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def execute(path: Path, timeout: float = 300.0, cwd: Path | None = None) -> nbformat.NotebookNode:
    """Run the notebook at ``path`` top to bottom and return it with its outputs (unsaved).

    ``timeout`` bounds the whole notebook, not each cell. A cell that raises makes this raise
    ``nbclient.exceptions.CellExecutionError`` whose message shows the cell and its traceback.
    """
    notebook = nbformat.read(path, as_version=4)
    deadline = time.monotonic() + timeout

    def remaining(cell: object) -> int:
        # nbclient asks before each cell how long it may take: what is left of the budget.
        return max(1, int(deadline - time.monotonic()))

    client = NotebookClient(
        notebook,
        timeout=int(timeout),
        timeout_func=remaining,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    client.execute()
    return notebook


def _static_output(output: nbformat.NotebookNode) -> None:
    data = output.get("data")
    if not data or WIDGET_VIEW not in data:
        return
    del data[WIDGET_VIEW]
    if set(data) <= {"text/plain"}:
        data["text/plain"] = WIDGET_NOTE


def _merge_streams(outputs: list) -> list:
    """One output per run of stdout (or stderr) text: how the kernel chunks it varies by run."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def normalise(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Sequential execution counts, merged streams, no widget state, timing or Python version."""
    notebook.metadata.pop("widgets", None)
    info = notebook.metadata.get("language_info")
    if info:
        notebook.metadata["language_info"] = {k: info[k] for k in KEPT_LANGUAGE_INFO if k in info}
    count = 0
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        ran = cell.get("execution_count") is not None or cell.outputs
        count += 1
        cell.execution_count = count if ran else None
        cell.outputs = _merge_streams(cell.outputs)
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = cell.execution_count
            _static_output(output)
    return notebook


def problems(path: Path) -> list[str]:
    """What is wrong with the notebook file as committed (empty when it is fine)."""
    found = []
    size = path.stat().st_size
    if size >= MAX_BYTES:
        found.append(f"{path.name} is {size} bytes; keep it under {MAX_BYTES} (smaller figures?)")
    notebook = nbformat.read(path, as_version=4)
    if "widgets" in notebook.metadata:
        found.append(f"{path.name} saves widget state; run scripts/run_notebooks.py on it")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code]
    if counts != list(range(1, len(code) + 1)):
        found.append(
            f"{path.name} has execution counts {counts}, not 1..{len(code)}: it was not run top "
            "to bottom by scripts/run_notebooks.py"
        )
    if code and not any(cell.outputs for cell in code):
        found.append(f"{path.name} has no outputs; commit it executed (make notebooks)")
    for cell in code:
        for output in cell.outputs:
            if output.output_type == "error":
                found.append(f"{path.name} was saved with an error in cell {cell.get('id')}")
            if WIDGET_VIEW in output.get("data", {}):
                found.append(f"{path.name} keeps a widget view output in cell {cell.get('id')}")
    return found


def readme_image(notebook: nbformat.NotebookNode) -> tuple[str, bytes] | None:
    """(suffix, bytes) of the first picture of the first cell tagged ``readme-image``, if any."""
    for cell in notebook.cells:
        if README_TAG not in cell.metadata.get("tags", []):
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                return ".png", base64.b64decode(data["image/png"])
            if "image/svg+xml" in data:
                return ".svg", "".join(data["image/svg+xml"]).encode()
            # draw_dot's output is HTML around an inline SVG (scaled to the column).
            inline = re.search(r"<svg\b.*?</svg>", "".join(data.get("text/html", "")), re.DOTALL)
            if inline:
                return ".svg", _sized(inline.group(0)).encode()
    return None


def _sized(svg: str) -> str:
    """An inline SVG with its size back (from its viewBox, in points), for an <img> in a page."""
    box = re.search(r'viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+) ([0-9.]+)"', svg)
    if box is None or re.match(r"<svg\b[^>]*\swidth=", svg):
        return svg
    size = f'<svg width="{box.group(1)}pt" height="{box.group(2)}pt"'
    return re.sub(r'\sstyle="[^"]*"', "", svg.replace("<svg", size, 1), count=1)


def run_in_place(path: Path, timeout: float = 300.0) -> None:
    notebook = normalise(execute(path, timeout))
    image = readme_image(notebook)
    if image is not None:
        suffix, picture = image
        IMAGES.mkdir(parents=True, exist_ok=True)
        (IMAGES / f"{path.stem}{suffix}").write_bytes(picture)
    nbformat.validate(notebook)
    text = nbformat.writes(notebook) + "\n"
    if len(text.encode()) >= MAX_BYTES:
        raise SystemExit(f"{path.name} would be {len(text.encode())} bytes; keep it under 1 MB")
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="notebooks (default: notebooks/*.ipynb)")
    parser.add_argument("--check", action="store_true", help="check the files, execute nothing")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per notebook")
    args = parser.parse_args(argv)
    failed = False
    for path in notebook_paths(args.paths):
        if not args.check:
            started = time.monotonic()
            run_in_place(path, args.timeout)
            print(f"ran {path.name} in {time.monotonic() - started:.1f} s")
        for problem in problems(path):
            print(problem, file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
