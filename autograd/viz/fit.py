"""An SVG drawing as HTML that fits the notebook column: scaled down to the column while its
smallest text stays at least :data:`MIN_TEXT_PX` high, and in a box that scrolls beyond that.

JupyterLab and nbconvert show an ``image/svg+xml`` output as an ``<img>`` at its natural size,
so style inside the SVG cannot shrink it; an HTML output can. The width rule is plain CSS
(``width: 100%`` between a legible minimum and the natural width), so it holds at any window
width with no script. Radio buttons (CSS only) switch between that fit and 100 % or 200 %.

JupyterLab sanitizes the HTML of an untrusted notebook (one opened, not run): it drops
``<svg>`` and ``<style>``. The drawing is therefore hidden unless the ``<style>`` survives, and
a line saying how to see it shows instead of a jumble of label text.
"""

from __future__ import annotations

import hashlib
import html
import re

MIN_TEXT_PX = 8.0  # the smallest label a reader can still read, in CSS px
PX_PER_PT = 4 / 3  # Graphviz sizes its SVG in points (72 per inch); CSS has 96 px per inch
ZOOMS = (("fit", None), ("100%", 1.0), ("200%", 2.0))
_ZOOM_CONTROLS_FROM_PX = 600  # below this natural width a drawing needs no zoom buttons

_SIZE = re.compile(r'\s(width|height)="([0-9.]+)pt"')
_FONT = re.compile(r'font-size="([0-9.]+)"')


def svg_element(svg: str) -> str:
    """``svg`` without the XML prolog, doctype and comments before its ``<svg`` tag."""
    return svg[svg.index("<svg") :]


def natural_width_px(svg: str) -> float:
    """The drawing's width at 100 %, in CSS px."""
    match = re.search(r'<svg[^>]*\swidth="([0-9.]+)pt"', svg)
    if match is None:
        raise ValueError("fit: the SVG has no width in pt (not drawn by Graphviz?)")
    return float(match.group(1)) * PX_PER_PT


def smallest_text_px(svg: str) -> float | None:
    """The smallest font size in the drawing at 100 %, in CSS px (None without text)."""
    sizes = [float(s) for s in _FONT.findall(svg)]
    return min(sizes) * PX_PER_PT if sizes else None


def legible_width_px(svg: str) -> float:
    """The narrowest the drawing may be shown with its smallest text still MIN_TEXT_PX high."""
    width, text = natural_width_px(svg), smallest_text_px(svg)
    if text is None or text <= MIN_TEXT_PX:
        return width
    return width * MIN_TEXT_PX / text


def natural_height_px(svg: str) -> float:
    match = re.search(r'<svg[^>]*\sheight="([0-9.]+)pt"', svg)
    return float(match.group(1)) * PX_PER_PT if match else 0.0


def fit_html(svg: str, caption: str = "") -> str:
    """HTML showing ``svg`` (Graphviz's output) fitted to its column, ``caption`` above it as
    text that wraps."""
    svg = svg_element(svg)
    width, legible = natural_width_px(svg), legible_width_px(svg)
    key = "seegrad-" + hashlib.sha1((caption + svg).encode()).hexdigest()[:12]
    # A drawing far taller than wide (a batch of samples) scrolls in a box of its own.
    tall = natural_height_px(svg) > max(1200.0, 2 * width)
    box = "overflow: auto; max-width: 100%" + ("; max-height: 80vh" if tall else "")
    head, rest = svg.split(">", 1)
    head = _SIZE.sub("", head)  # the CSS below sizes it; the viewBox keeps its proportions
    fitted = (
        f'{head} style="display: block; width: 100%; max-width: {width:.0f}px; '
        f'min-width: {legible:.0f}px; height: auto">{rest}'
    )
    css = [f".{key} {{ display: block !important; }}", f".{key}-note {{ display: none; }}"]
    controls = ""
    if width >= _ZOOM_CONTROLS_FROM_PX:
        buttons = []
        for k, (name, scale) in enumerate(ZOOMS):
            checked = ' checked="checked"' if scale is None else ""
            # Each input a sibling of the box, so that "#input:checked ~ box" reaches it.
            buttons.append(
                f'<input type="radio" name="{key}" id="{key}-{k}"{checked}/>'
                f'<label for="{key}-{k}" style="margin-right: 0.8em">{name}</label>'
            )
            if scale is not None:
                css.append(
                    f"#{key}-{k}:checked ~ .{key}-box svg {{ width: {width * scale:.0f}px "
                    "!important; max-width: none !important; min-width: 0 !important; }"
                )
        controls = (
            '<span style="font-size: 0.85em; color: #555; margin-right: 0.5em">zoom:</span>'
            + "".join(buttons)
        )
    text = ""
    if caption:
        text = (
            '<div style="white-space: pre-wrap; overflow-wrap: anywhere; font-family: '
            f'Helvetica, Arial, sans-serif; margin: 0.2em 0 0.4em">{html.escape(caption)}</div>'
        )
    return (
        f"<style>{' '.join(css)}</style>"
        f'<div class="{key}-note" style="font-style: italic">The drawing is an inline SVG: '
        "run the cell (or trust the notebook) to see it.</div>"
        f'<div class="{key}" style="display: none; max-width: 100%">{text}{controls}'
        f'<div class="{key}-box" style="{box}">{fitted}</div></div>'
    )
