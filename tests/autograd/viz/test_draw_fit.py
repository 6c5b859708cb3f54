"""The HTML that fits a drawing to the notebook column (autograd.viz.fit) and the bundle that
carries it, checked on the text; tests/browser measures it on a page."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, draw_dot
from autograd.viz import fit

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")

SVG = (
    '<?xml version="1.0"?>\n<!-- made by hand -->\n<svg width="750pt" height="150pt" '
    'viewBox="0.00 0.00 750.00 150.00" xmlns="http://www.w3.org/2000/svg">'
    '<text font-size="11.00">a &lt; b</text><text font-size="15.00">c</text></svg>'
)


def style_of_svg(page: str) -> str:
    return re.search(r'<svg[^>]*style="([^"]*)"', page).group(1)


def test_at_fit_the_whole_drawing_is_scaled_into_the_column():
    """Issue 19.5: no min-width, which left a drawing wider than its column (869 px in a 592 px
    one) with its output node past the edge; 100 % and 200 % show the text at its size."""
    page = fit.fit_html(SVG)
    style = style_of_svg(page)
    assert "width: 100%" in style and "height: auto" in style
    assert "max-width: 1000px" in style  # 750 pt at 96 px per inch: never enlarged
    assert "min-width" not in style
    assert not re.search(r'<svg[^>]*\swidth="', page)  # CSS sizes it, not the attributes


def test_zoom_100_and_200_show_the_drawing_at_its_size_in_a_box_that_scrolls():
    page = fit.fit_html(SVG)
    assert re.search(r'class="seegrad-\w+-box" style="overflow: auto', page)
    assert page.count('type="radio"') == 3
    assert "width: 1000px !important" in page and "width: 2000px !important" in page


def test_caption_is_text_that_wraps_and_is_escaped():
    page = fit.fit_html(SVG, caption="grad(a) += 1 <b> & more")
    assert "grad(a) += 1 &lt;b&gt; &amp; more" in page and "pre-wrap" in page


def test_page_is_well_formed_and_says_what_to_do_when_sanitized():
    page = fit.fit_html(SVG, caption="step 1")
    ET.fromstring(f"<div>{page}</div>")
    assert "<?xml" not in page and "<!--" not in page
    # Hidden until its <style> applies (JupyterLab drops <style> and <svg> when untrusted).
    assert re.search(r'class="(seegrad-\w+)" style="display: none', page)
    assert "run the cell (or trust the notebook)" in page


def test_svg_without_a_size_in_points_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="neither a width nor a viewBox"):
        fit.fit_html("<svg></svg>")


@needs_dot
def test_jupyter_gets_html_beside_the_svg_and_the_caption_leaves_the_picture():
    a = Value(2.0, label="a")
    b = (a * a).tanh()
    bundle = draw_dot(b, edge_labels=True)._repr_mimebundle_()
    assert "text/html" in bundle and "image/svg+xml" not in bundle  # would double the size
    page = bundle["text/html"]
    assert "local derivative" in page.split("<svg", 1)[0]  # the legend, as text above
    assert "local derivative" not in page.split("<svg", 1)[1]
    graph = draw_dot(b, edge_labels=True)
    assert "local derivative" in graph.svg()  # still in the picture itself


@needs_dot
def test_leading_and_repeated_spaces_are_drawn_as_typed():
    a = Value(1.0, label=" x")
    c = a * Value(2.0, label="two  spaces")
    c.label = "c "
    svg = draw_dot(c).pipe(format="svg", encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    shown = [t.replace("&#160;", " ").replace("\u00a0", " ") for t in texts]
    assert " x" in shown and "two  spaces" in shown and "c " in shown
