"""Turning any user string into DOT label text that Graphviz shows exactly as typed.

Two layers read a label: the DOT parser (quoted strings, ``\\"``) and the label renderer
(escape sequences such as ``\\n`` and ``\\N``; in record shapes also ``{ } | < >`` and spaces).
Backslashes are doubled first so that nothing the user typed is read as an escape sequence, then
the characters special to the renderer get a backslash of their own. The ``graphviz`` package
adds the quotes (and escapes ``"``); :func:`graphviz.nohtml` stops it from passing a label that
looks like ``<...>`` through as an HTML-like label.
"""

from __future__ import annotations

import json
from typing import Any

import graphviz

_RECORD_SPECIAL = frozenset("{}|<>")


# Tabs read as spaces; other control characters (NUL would end the DOT text) as a visible mark.
_CONTROL = {i: "\ufffd" for i in range(32) if chr(i) not in "\n\r\t"} | {ord("\t"): " "}


def _lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL)
    return text.split("\n")


NBSP = "\u00a0"  # Graphviz and SVG squeeze or drop ordinary spaces at the edges and in runs


def _spaces(line: str) -> str:
    """``line`` with every space that would be squeezed (leading, trailing, in a run) made a
    no-break space, which is kept and looks the same."""
    return "".join(
        NBSP
        if ch == " " and not (0 < i < len(line) - 1 and line[i - 1] != " " != line[i + 1])
        else ch
        for i, ch in enumerate(line)
    )


# A label may hold any text, but a picture shows at most this much of it (Graphviz also refuses
# an HTML-like label over 16,384 characters); the rest is replaced by an ellipsis, and the view
# puts the full text in the node's tooltip.
LABEL_CHARS = 80  # per line of a node's label
LABEL_LINES = 8
TEXT_CHARS = 200  # per line of a caption or cluster title (already wrapped by the caller)
TEXT_LINES = 40
TOOLTIP_CHARS = 1_000  # Graphviz refuses a quoted string over 16,384 bytes; &amp; is 5
ELLIPSIS = "\u2026"


def shorten(text: str, chars: int = LABEL_CHARS, lines: int = LABEL_LINES) -> str:
    """``text`` with each line cut to ``chars`` characters and at most ``lines`` lines, an
    ellipsis (…) marking each cut; shorter text is returned unchanged."""
    rows = _lines(text)
    cut = [row if len(row) <= chars else row[: chars - 1] + ELLIPSIS for row in rows[:lines]]
    if len(rows) > lines:
        cut[-1] = ELLIPSIS
    return "\n".join(cut)


def is_shortened(text: str) -> bool:
    return shorten(text) != "\n".join(_lines(text))


def tooltip(text: str) -> str:
    """``text`` as a node's tooltip (Graphviz's escape sequences kept as typed), up to
    :data:`TOOLTIP_CHARS` characters."""
    if len(text) > TOOLTIP_CHARS:
        text = text[: TOOLTIP_CHARS - 1] + ELLIPSIS
    # Graphviz reads a tooltip's backslashes twice ("\\\\" -> "\\", then "\\N" -> the node's
    # name): four of them show one.
    return label(
        "\\n".join(
            _spaces(line).replace("\\", "\\" * 4).replace("&", "&amp;") for line in _lines(text)
        )
    )


def _plain_lines(text: str) -> str:
    return "\\n".join(
        _spaces(line).replace("\\", "\\\\").replace("&", "&amp;") for line in _lines(text)
    )


def plain(text: str) -> str:
    """``text`` as the label of a plain (non-record) node, edge or cluster; newlines break lines.
    Long text is shortened (see :func:`shorten`)."""
    return _plain_lines(shorten(text, TEXT_CHARS, TEXT_LINES))


def record_field(text: str) -> str:
    """``text`` as one field of a record label: braces, bars, angle brackets (and spaces that
    Graphviz would squeeze) escaped."""
    out = []
    for line in _lines(shorten(text)):
        chars = []
        for ch in _spaces(line):
            if ch == "\\":
                chars.append("\\\\")
            elif ch == "&":  # Graphviz reads "&amp;" and the like as entities
                chars.append("&amp;")
            elif ch in _RECORD_SPECIAL:
                chars.append("\\" + ch)
            else:
                chars.append(ch)
        out.append("".join(chars))
    return "\\n".join(out)


def html_text(text: str) -> str:
    """``text`` as the content of a cell of an HTML-like label: markup characters as entities,
    newlines as line breaks, squeezable spaces kept (no-break); long text shortened (see
    :func:`shorten`)."""
    return "<BR/>".join(
        _spaces(line)
        .replace("&", "&amp;")
        # Graphviz expands \N, \G, ... even in HTML-like labels, and reads "\\" as one
        # backslash: doubled, every backslash shows as typed (and copies as typed).
        .replace("\\", "\\\\")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        for line in _lines(shorten(text))
    )


def html_rows(fields: list[str]) -> str:
    """An HTML-like label (for a ``box`` node): ``fields`` stacked, a rule between each two,
    each escaped with :func:`html_text`. Unlike a record, such a node may sit in a row of
    nodes ordered with invisible edges."""
    rows = "<HR/>".join(f"<TR><TD>{html_text(f)}</TD></TR>" for f in fields)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">{rows}</TABLE>>'


def label(text: str) -> str:
    """A finished label string, marked so that ``graphviz`` never treats it as HTML-like."""
    return graphviz.nohtml(text)


# In a <script> element the HTML parser, not JavaScript, decides where the script ends: "</script",
# and "<!--" followed by "<script", change its state whatever the quotes. JSON lets any character
# be written as \uXXXX, and JavaScript reads those escapes back to the same text.
_SCRIPT_UNSAFE = {ord(c): f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"}


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside an HTML ``<script>`` element: ``<``, ``>``, ``&``
    (and the line separators U+2028/U+2029) written as ``\\u003c`` and the like, so no user
    text (a label, an op's ``math``) can end the script or start markup."""
    return json.dumps(value).translate(_SCRIPT_UNSAFE)
