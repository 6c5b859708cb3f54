"""autograd.viz.fit: an SVG scaled to its column, never below a legible text size."""

from __future__ import annotations

import pytest

from autograd.viz.fit import fit_svg, fit_width, svg_metrics

SVG = (
    '<?xml version="1.0"?>\n<!DOCTYPE svg>\n'
    '<svg width="1500pt" height="150pt" viewBox="0.00 0.00 1500.00 150.00">'
    '<text font-size="11.00">big</text><text font-size="7.50">small</text></svg>'
)


def test_metrics_read_width_in_px_and_the_smallest_font() -> None:
    width, box_width, smallest = svg_metrics(SVG)
    assert width == pytest.approx(2000.0)  # 1500 pt = 2000 CSS px
    assert box_width == 1500.0
    assert smallest == 7.5


def test_narrowest_width_keeps_the_smallest_text_at_min_text_px() -> None:
    natural, narrowest = fit_width(SVG, min_text_px=8.0)
    assert natural == pytest.approx(2000.0)
    # At width w the 7.5-unit font is 7.5 * w / 1500 px: 8 px at w = 1600.
    assert narrowest == pytest.approx(1600.0)
    # Text already smaller than the minimum at natural size: never scaled down at all.
    assert fit_width(SVG, min_text_px=20.0)[1] == pytest.approx(2000.0)


def test_fit_svg_is_html_with_the_limits_and_without_the_prolog() -> None:
    html = fit_svg(SVG)
    assert html.startswith('<div class="seegrad-fit"')
    assert "<?xml" not in html and "DOCTYPE" not in html
    assert "max-width:2000px" in html and "min-width:1600px" in html
    assert "overflow:auto" in html
    assert html.count("<svg") == 1


def test_fit_svg_replaces_an_existing_style() -> None:
    html = fit_svg('<svg style="max-width: 100%" width="100px" viewBox="0 0 100 10"></svg>')
    assert "max-width: 100%" not in html
    assert "min-width:0px" in html  # no text: any width is legible


@pytest.mark.parametrize(
    ("svg", "message"),
    [("<div></div>", "no <svg> element"), ("<svg></svg>", "neither a width nor a viewBox")],
)
def test_fit_svg_refuses_what_it_cannot_measure(svg: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_svg(svg)


def test_the_same_drawing_shown_twice_has_its_own_zoom_buttons() -> None:
    """Radio groups are named per display: 200 % in one output never moves the other (19.3)."""
    import re

    from autograd.viz.fit import fit_html

    svg = (
        '<svg width="1400pt" height="200pt" viewBox="0 0 1400 200">'
        '<text font-size="14">x</text></svg>'
    )
    names = [set(re.findall(r'type="radio" name="([^"]+)"', fit_html(svg))) for _ in range(2)]
    assert all(len(n) == 1 for n in names) and names[0] != names[1], names
