"""Each notebook, exported to static HTML, opens in Chromium with its math and pictures rendered.

A screenshot of each goes to test-artifacts/html/<notebook>.png (the whole page).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ROOT, need

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def local_mathjax_url() -> str | None:
    """MathJax 2 from the jupyter-server-mathjax package, so the page needs no network."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        return None
    script = Path(jupyter_server_mathjax.__file__).parent / "static" / "MathJax.js"
    return f"{script.as_uri()}?config=TeX-AMS-MML_HTMLorMML-full,Safe"


# That package ships MathJax's STIX-Web fonts only, not the TeX fonts its HTML-CSS output asks
# for by default: without this, every formula with a prime (f') is a "Math Processing Error".
STIX_FONTS = """<script type="text/x-mathjax-config">
MathJax.Hub.Config({"HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web",
                                 imageFont: null}});
</script>
"""


def export_html(notebook: Path, folder: Path) -> Path:
    from nbconvert import HTMLExporter

    mathjax = local_mathjax_url()
    need(mathjax is not None, "jupyter-server-mathjax is not installed: make setup-browser")
    exporter = HTMLExporter(template_name="lab", mathjax_url=mathjax)
    body, _ = exporter.from_filename(str(notebook))
    config = '<script type="text/x-mathjax-config">'
    assert config in body, "nbconvert's template changed: no MathJax configuration block"
    body = body.replace(config, STIX_FONTS + config, 1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook.stem}.html"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_exported_notebook_renders(notebook: Path, page, artifacts: Path) -> None:
    import nbformat

    html = export_html(notebook, artifacts / "html")
    blocked: list[str] = []

    def offline(route) -> None:
        # The page may name CDN scripts (require.js, mermaid) it does not need for static
        # outputs; refuse them at once rather than wait on a network that is not there.
        blocked.append(route.request.url)
        route.abort()

    page.route("http*://**/*", offline)
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_function("() => window.MathJax && MathJax.Hub", timeout=30_000)
    page.evaluate("() => new Promise(done => MathJax.Hub.Queue(done))")

    cells = nbformat.read(notebook, as_version=4).cells
    shown = page.locator(".jp-Cell")
    assert shown.count() == len(cells), f"{notebook.name}: {shown.count()} of {len(cells)} cells"
    # nbconvert shows a PNG or an SVG output (draw_dot's) as an <img>, unless HTML comes first.
    expected_images = sum(
        bool({"image/png", "image/svg+xml"} & set(output.get("data", {})))
        and "text/html" not in output.get("data", {})
        for cell in cells
        for output in cell.get("outputs", [])
    )
    images = page.locator(".jp-OutputArea-output img")
    assert images.count() == expected_images, f"{notebook.name}: pictures missing"
    assert page.evaluate(
        "() => [...document.querySelectorAll('.jp-OutputArea-output img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    ), f"{notebook.name}: a picture did not load"
    has_math = any("$" in cell.source for cell in cells if cell.cell_type == "markdown")
    if has_math:
        assert page.locator(".MathJax, .MathJax_Display, .MathJax_SVG").count() > 0, (
            f"{notebook.name}: MathJax rendered no formula"
        )
        errors = page.locator(".MathJax_Error, merror")
        assert errors.count() == 0, f"{notebook.name}: {errors.first.inner_text()}"
        raw = page.locator(".jp-RenderedMarkdown").evaluate_all(
            "nodes => nodes.filter(n => /\\$\\$|\\\\frac|\\\\partial/.test(n.innerText)).length"
        )
        assert raw == 0, f"{notebook.name}: some LaTeX is shown as source, not as math"
    page.screenshot(path=str(artifacts / "html" / f"{notebook.stem}.png"), full_page=True)
    unexpected = [url for url in blocked if "mathjax" in url.lower()]
    assert not unexpected, f"MathJax was asked for over the network: {unexpected}"
