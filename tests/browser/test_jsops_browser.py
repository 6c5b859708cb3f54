"""Every row's generated JavaScript form, run in Chromium, against the Python rule: forward and
local derivatives on the row's test domain and edge points, to 1e-12 relative (the same check in
Node.js runs in `make test`: tests/autograd/viz/test_jsops.py)."""

from __future__ import annotations

import pytest

from autograd.viz import jsops
from tests.autograd.viz.test_jsops import python_cases

pytestmark = pytest.mark.browser

RELATIVE = 1e-12


def close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= RELATIVE * max(abs(a), abs(b))


def test_javascript_forms_agree_with_the_python_rows(page) -> None:
    rows = jsops.builtin_rows()
    cases = {op.name: python_cases(op) for op in rows}
    arities = {name: {len(case["xs"]) for case in list_} for name, list_ in cases.items()}
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=jsops.table_source(arities) + "window.OPS = OPS;")
    shown = page.evaluate(
        """(cases) => Object.fromEntries(Object.entries(cases).map(([name, list]) => [name,
            list.map(({xs}) => {
              const out = window.OPS[name].forward(xs);
              return {out, derivatives: window.OPS[name].derivatives(out, xs)};
            })]))""",
        cases,
    )
    failures = []
    checked = 0
    for name, expected in cases.items():
        for case, got in zip(expected, shown[name], strict=True):
            pairs = [("forward", case["out"], got["out"])]
            assert len(got["derivatives"]) == len(case["derivatives"]), (name, case["xs"])
            pairs += [
                (f"d/dx{i}", want, have)
                for i, (want, have) in enumerate(zip(case["derivatives"], got["derivatives"]))
            ]
            for what, want, have in pairs:
                checked += 1
                if not close(want, have):
                    failures.append(f"{name} at {case['xs']}: {what} Python {want!r}, JS {have!r}")
    assert not failures, "\n".join(failures[:20])
    assert checked > 500 and all(cases.values())
