"""A self-contained HTML page around a view's HTML: what :func:`autograd.viz.to_html` writes.

Below every view in the import order (it needs only :mod:`autograd.viz.fit`), so any view can
build its own page.
"""

from __future__ import annotations

import html
from typing import Any

_STYLE = """body { font-family: Helvetica, Arial, sans-serif; margin: 1em auto; padding: 0 1em;
  max-width: 1800px; color: #222; }
h1 { font-size: 1.1em; font-weight: normal; color: #444; }"""


def page(title: str, body: str, script: str = "") -> str:
    """A complete HTML page: ``title`` as its heading, ``body`` (HTML) below it.

    Nothing is loaded from anywhere: the styles and ``script`` (JavaScript) are inline.
    """
    script_tag = f"<script>\n{script}\n</script>\n" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_STYLE}\n</style></head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n{body}\n{script_tag}</body></html>\n"
    )


def graph_html(graph: Any) -> str:
    """A ``draw_dot`` graph (or a backward step) as HTML fitted to the column: its caption as
    text, zoom buttons when wide (see :func:`autograd.viz.fit.fit_html`). Needs ``dot``."""
    return graph.html()
