"""Sphinx configuration of the seegrad site (`make docs` -> docs/_build/html).

Why Sphinx + myst-nb + furo: the API reference comes from the docstrings we already write in
reStructuredText (``:func:``, ``:class:``) through autodoc, with no second format; myst-nb renders
the notebooks as pages with their outputs and the prose pages as Markdown; furo is a maintained,
readable theme with light and dark modes that loads nothing from the network. Every page works
from file:// with no network: MathJax is copied from the jupyter-server-mathjax package into the
site, and each widget output is its own self-contained page embedded in an iframe
(``_ext/seegrad_notebooks.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))

project = "seegrad"
author = "The seegrad developers"
copyright = "The seegrad developers, MIT license"  # noqa: A001  (Sphinx's name)
release = version = "0.1.0"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "seegrad_notebooks",
    "seegrad_pages",
]

exclude_patterns = ["_build", "README.md", "README.short.md", "_ext", "_generated/*.md"]
suppress_warnings: list[str] = []

# Pages and notebooks.
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # seegrad_notebooks ran them already, widget pages embedded
nb_merge_streams = True
nb_output_stderr = "show"

# API reference.
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_preserve_defaults = True
add_module_names = False

# HTML: furo, MathJax 2 served from the site itself (seegrad_pages copies it into _static).
html_theme = "furo"
html_title = "seegrad"
html_static_path = ["_static", "_generated/static"]
# Filled at builder-inited (MathJax), but Sphinx checks that it exists before that.
(DOCS / "_generated" / "static").mkdir(parents=True, exist_ok=True)
html_js_files = ["seegrad-views.js"]
html_css_files = ["seegrad.css"]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
# No web fonts: Chromium refuses fonts fetched from file:// (a console error), so MathJax draws
# with the system's fonts (its "unicode" fallback).
mathjax2_config = {
    "HTML-CSS": {
        "availableFonts": [],
        "preferredFont": None,
        "webFont": None,
        "imageFont": None,
        "undefinedFamily": "STIXGeneral, 'DejaVu Serif', serif",
    },
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processRefs": False,
        "processEnvironments": False,
    },
}
smartquotes = False  # math such as f' stays as typed
