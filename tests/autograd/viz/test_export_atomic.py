"""Exports write atomically: a write that fails part-way (here a real one: the file size limit
RLIMIT_FSIZE stands in for a full disk) leaves the previous file whole and no temporary file
(issue 20.3). Each case runs in a fresh interpreter, so the limit touches nothing else."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
OLD = "the previous, good file\n"
LIMIT = 2000  # bytes: every export below is larger

MAKE = {
    "to_html": "viz.to_html(viz.draw_dot(root), path)",
    "to_html explorer": "viz.to_html(viz.explore(root), path)",
    "NetworkView.save html": "viz.draw_network(nn.MLP(2, [3, 1], seed=0)).save(path)",
    "NetworkView.save svg": "viz.draw_network(nn.MLP(2, [3, 1], seed=0)).save(path)",
    "write_frames html": "viz.write_frames(viz.backward_frames(root), path)",
    "write_frames gif": "viz.write_frames(viz.backward_frames(root), path)",
}
SUFFIX = {"NetworkView.save svg": ".svg", "write_frames gif": ".gif"}


@pytest.mark.parametrize("export", list(MAKE))
def test_a_failed_export_keeps_the_previous_file(tmp_path: Path, export: str) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is needed")
    if export.endswith("gif"):
        pytest.importorskip("PIL")
    if "explorer" in export:
        pytest.importorskip("anywidget")
    path = tmp_path / f"view{SUFFIX.get(export, '.html')}"
    path.write_text(OLD, encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        import nn
        from autograd import Value, viz
        x = Value(2.0, label="x")
        root = (x * 3.0 + 1.0).tanh()
        path = sys.argv[1]
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit: OSError EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, ({LIMIT}, {LIMIT}))
        try:
            {MAKE[export]}
        except OSError as error:
            print("failed:", error.errno)
        else:
            print("written")
        """
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("failed: 27"), done.stdout + done.stderr  # EFBIG
    assert path.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary left


def test_an_export_still_writes_and_replaces(tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is needed")
    from autograd import Value, viz

    path = tmp_path / "graph.html"
    path.write_text(OLD, encoding="utf-8")
    os.chmod(path, 0o640)
    viz.to_html(viz.draw_dot(Value(1.0, label="x") * 2.0), path)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (path.stat().st_mode & 0o777) == 0o640  # a replaced file keeps its mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html"]
