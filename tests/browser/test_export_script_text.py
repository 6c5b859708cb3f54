"""User text in an exported explorer page (labels, an op's ``math``) is data, never markup or
code: the page still draws and recomputes, and no script of the user's runs (issue 20.1, 20.2).

Screenshots: test-artifacts/explorer/script_text_*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd import Value, viz
from autograd.viz import jsops

pytestmark = pytest.mark.browser

ATTACK = "</script><script>alert(1)</script>"


def open_export(page, root: Value, path: Path) -> list[str]:
    """Export the explorer of ``root``, open it; returns every dialog and page error seen."""
    path.parent.mkdir(parents=True, exist_ok=True)
    viz.to_html(viz.explore(root), path)
    seen: list[str] = []

    def dialog(d) -> None:
        seen.append(f"dialog {d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    page.on("pageerror", lambda error: seen.append(f"error: {error}"))
    page.goto(path.as_uri(), wait_until="load")
    return seen


def assert_works(page, root: Value) -> None:
    """Every Value drawn, the page recomputed, and a nudge moves the root's value."""
    from autograd import topological_order

    assert page.locator(".sg-value").count() == len(topological_order(root))
    assert "recomputed in the browser" in page.locator(".sg-status").inner_text()
    field = page.locator(".sg-value-field").first
    field.fill("1.25")
    field.press("Enter")
    assert "recomputed in the browser" in page.locator(".sg-status").inner_text()


@pytest.mark.parametrize(
    "labels",
    [["<!--<script>", "b"], ["<!--", "<script>"], ["</script>", "&lt;<b>"]],
    ids=["one-label", "two-halves", "close-tag"],
)
def test_labels_that_look_like_markup_leave_the_page_working(
    page, artifacts: Path, labels: list[str]
) -> None:
    a, b = Value(2.0, label=labels[0]), Value(3.0, label=labels[1])
    root = a * b + a
    root.label = "out"
    name = "script_text_" + "_".join(str(len(label)) for label in labels)
    seen = open_export(page, root, artifacts / "explorer" / f"{name}.html")
    assert not seen, seen
    assert_works(page, root)
    shown = page.locator(".sg-value .sg-name").all_text_contents()
    assert set(labels) <= set(shown), shown  # shown as typed
    page.screenshot(path=str(artifacts / "explorer" / f"{name}.png"))


@pytest.mark.parametrize("uses_op", [False, True], ids=["other-graph", "graph-uses-op"])
def test_an_ops_math_text_never_runs_as_script(
    page, artifacts: Path, define_op, uses_op: bool
) -> None:
    # float(x): a rule for floats only, so its JavaScript form is given by hand.
    twice = define_op(
        "twice_attack", lambda m, x: 2.0 * float(x), lambda m, out, x: (2.0,), math=ATTACK
    )
    jsops.add_js_form("twice_attack", "2 * x", "[2]")
    x = Value(0.5, label="x")
    root = twice(x) * x if uses_op else x * x + 1.0
    seen = open_export(page, root, artifacts / "explorer" / f"script_text_math_{uses_op}.html")
    assert not seen, seen
    assert_works(page, root)
    if uses_op:
        page.locator(".sg-op").first.click()
        assert ATTACK in page.locator(".sg-info").inner_text()  # shown as text
