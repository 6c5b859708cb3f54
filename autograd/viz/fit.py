"""Fitting an SVG drawing to the column it is shown in, as HTML.

JupyterLab and nbconvert show an ``image/svg+xml`` output as an ``<img>``, which never shrinks
a wide picture to the column. Inline in HTML it can: :func:`fit_svg` wraps an SVG in a box
where it scales down to the column width, but never so far that its smallest text falls below
``min_text_px``; below that width the box scrolls instead, so every part stays in reach. It is
CSS only (no script), so it works in an untrusted notebook, an nbconvert export and a page
opened from ``file://``.

The arithmetic: an SVG ``width`` W px wide with a ``viewBox`` V units wide draws a font of f
units at ``f * W / V`` px. Shown at width w, the smallest font ``f_min`` is ``f_min * w / V`` px,
so the drawing may shrink down to ``w_min = min_text_px * V / f_min`` px and no further.

:func:`fit_html` builds on it for the drawings of ``draw_dot`` and the step-by-step views: a
caption above as text that wraps, zoom buttons (CSS radio buttons: fit, 100 %, 200 %; at "fit"
the whole drawing is scaled into the column, however small its text, so nothing hides past the
column's edge; 100 % shows it at its own size in a box that scrolls), a box of
its own for a drawing far taller than wide, and a line that shows instead of the drawing where
the HTML is sanitized: JupyterLab drops ``<svg>`` and ``<style>`` from an untrusted notebook's
HTML, so the drawing is hidden until its ``<style>`` applies.
"""

from __future__ import annotations

import html
import itertools
import re
import secrets

# CSS px per unit of an SVG length (CSS: 1in = 96px = 72pt).
_UNIT_PX = {
    "": 1.0,
    "px": 1.0,
    "pt": 96 / 72,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 9.6 / 2.54,
}
_LENGTH = r"([0-9]*\.?[0-9]+)\s*(px|pt|pc|in|cm|mm)?"
_SVG_TAG = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_FONT_SIZE = re.compile(r"font-size\s*[=:]\s*[\"']?\s*" + _LENGTH)

BOX_CLASS = "seegrad-fit"

MIN_TEXT_PX = 8.0  # the smallest label a reader can still read, in CSS px
ZOOMS = (("fit", None), ("100%", 1.0), ("200%", 2.0))
_ZOOM_CONTROLS_FROM_PX = 600  # below this natural width a drawing needs no zoom buttons


def _attribute(tag: str, name: str) -> str | None:
    match = re.search(rf"\s{name}\s*=\s*[\"']([^\"']*)[\"']", tag)
    return match.group(1) if match else None


def _px(length: str | None) -> float | None:
    if length is None:
        return None
    match = re.fullmatch(r"\s*" + _LENGTH + r"\s*", length)
    return float(match.group(1)) * _UNIT_PX[match.group(2) or ""] if match else None


def svg_metrics(svg: str) -> tuple[float, float, float | None]:
    """``(width_px, viewbox_width, smallest_font_in_viewbox_units)`` of an SVG document.

    The smallest font is ``None`` when the drawing has no text. Raises ``ValueError`` when
    ``svg`` has no ``<svg>`` element or neither a width nor a viewBox.
    """
    match = _SVG_TAG.search(svg)
    if match is None:
        raise ValueError("fit_svg: the text has no <svg> element")
    tag = match.group(0)
    width = _px(_attribute(tag, "width"))
    view_box = _attribute(tag, "viewBox")
    box_width = None
    if view_box is not None:
        parts = view_box.replace(",", " ").split()
        if len(parts) == 4:
            box_width = float(parts[2])
    if width is None and box_width is None:
        raise ValueError("fit_svg: the <svg> element has neither a width nor a viewBox")
    width = width if width is not None else box_width
    box_width = box_width if box_width else width
    # Font sizes inside the drawing are in viewBox units (graphviz writes font-size="11.00").
    sizes = [float(m.group(1)) * _UNIT_PX[m.group(2) or ""] for m in _FONT_SIZE.finditer(svg)]
    sizes = [s for s in sizes if s > 0]
    return width, box_width, (min(sizes) if sizes else None)


def fit_width(svg: str, min_text_px: float = 8.0) -> tuple[float, float]:
    """``(natural_px, narrowest_px)``: the SVG's own width, and the narrowest width at which its
    smallest text is still ``min_text_px`` high (never more than the natural width)."""
    width, box_width, smallest = svg_metrics(svg)
    if smallest is None:
        return width, 0.0
    return width, min(width, min_text_px * box_width / smallest)


def fit_svg(svg: str, min_text_px: float = 8.0) -> str:
    """HTML showing ``svg`` inline, scaled down to the column (never up), its text kept at least
    ``min_text_px`` high; narrower than that, the box scrolls sideways instead.

    Any XML prolog or doctype before ``<svg`` is dropped (they are not allowed inside HTML).
    """
    natural, narrowest = fit_width(svg, min_text_px)
    start = _SVG_TAG.search(svg)
    assert start is not None  # svg_metrics found it
    style = (
        f"display:block;width:100%;max-width:{natural:.0f}px;min-width:{narrowest:.0f}px;"
        "height:auto"
    )
    tag = start.group(0)
    if _attribute(tag, "style") is not None:
        tag = re.sub(r"\sstyle\s*=\s*([\"'])[^\"']*\1", f' style="{style}"', tag, count=1)
    else:
        tag = tag[:4] + f' style="{style}"' + tag[4:]
    body = svg[start.start() :].replace(start.group(0), tag, 1)
    return f'<div class="{BOX_CLASS}" style="max-width:100%;overflow:auto">{body.strip()}</div>'


_RUN = secrets.token_hex(4)  # two kernels showing in one page never share a name
_DISPLAYS = itertools.count()


def fit_html(svg: str, caption: str = "") -> str:
    """HTML showing ``svg`` (Graphviz's output) fitted to its column, ``caption`` above it as
    text that wraps."""
    # Without the prolog, and without Graphviz's comments (a tenth of a big drawing).
    svg = re.sub(r"<!--.*?-->\n?", "", svg[svg.index("<svg") :], flags=re.DOTALL)
    width, _ = fit_width(svg, MIN_TEXT_PX)
    # One name per display, not per drawing: the same drawing shown twice (a frame of
    # step_backward and the cell above) must not share its zoom buttons.
    key = f"seegrad-{_RUN}_{next(_DISPLAYS)}"
    # A drawing far taller than wide (a batch of samples) scrolls in a box of its own.
    height = _px(_attribute(_SVG_TAG.search(svg).group(0), "height")) or 0.0
    tall = height > max(1200.0, 2 * width)
    box = "overflow: auto; max-width: 100%" + ("; max-height: 80vh" if tall else "")
    head, rest = svg.split(">", 1)
    # The CSS below sizes it; the viewBox keeps its proportions.
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    fitted = (
        f'{head} style="display: block; width: 100%; max-width: {width:.0f}px; height: auto">{rest}'
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
