"""docs/engine.md links to lines of the engine; each link quotes the code on its line.

A link ``[`snippet`](../autograd/file.py#L12)`` must point at the first line of that file
containing ``snippet``. When code moves, ``python tests/autograd/test_engine_doc.py`` rewrites
the anchors (and says which snippets are gone).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "engine.md"
LINK = re.compile(r"\[`([^`]+)`\]\(\.\./([\w/]+\.py)#L(\d+)\)")


def first_line(path: str, snippet: str) -> int | None:
    for number, line in enumerate((ROOT / path).read_text(encoding="utf-8").splitlines(), 1):
        if snippet in line:
            return number
    return None


def relink(text: str) -> tuple[str, list[str]]:
    """``text`` with every anchor set to its snippet's line, and the snippets not found."""
    missing = []

    def fix(match: re.Match) -> str:
        snippet, path, _ = match.groups()
        line = first_line(path, snippet)
        if line is None:
            missing.append(f"{path}: {snippet}")
            return match.group(0)
        return f"[`{snippet}`](../{path}#L{line})"

    return LINK.sub(fix, text), missing


def test_every_link_points_at_the_line_it_quotes():
    text = DOC.read_text(encoding="utf-8")
    links = LINK.findall(text)
    assert len(links) >= 20
    wrong = [
        f"{path}#L{line} should be #L{first_line(path, snippet)} for `{snippet}`"
        for snippet, path, line in links
        if first_line(path, snippet) != int(line)
    ]
    assert not wrong, "run `python tests/autograd/test_engine_doc.py`:\n" + "\n".join(wrong)


def test_every_file_link_exists():
    for path in re.findall(r"\]\(\.\./([\w/]+\.py)(?:#L\d+)?\)", DOC.read_text(encoding="utf-8")):
        assert (ROOT / path).is_file(), path


def test_the_relinker_moves_an_anchor_and_reports_a_lost_snippet():
    text = (
        "[`def backward_steps(`](../autograd/core/backward.py#L1) "
        "[`gone`](../autograd/core/ops.py#L3)"
    )
    fixed, missing = relink(text)
    assert f"#L{first_line('autograd/core/backward.py', 'def backward_steps(')})" in fixed
    assert missing == ["autograd/core/ops.py: gone"]


if __name__ == "__main__":
    fixed, missing = relink(DOC.read_text(encoding="utf-8"))
    DOC.write_text(fixed, encoding="utf-8")
    if missing:
        sys.exit("snippets no longer in the code (edit docs/engine.md):\n" + "\n".join(missing))
