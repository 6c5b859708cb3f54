"""The size guard's advice: legible views first, the caller's options kept, and every call it
names draws (issue 19.4)."""

from __future__ import annotations

import pytest


def _batch_loss(samples: int):
    import random

    import nn

    model = nn.MLP(2, [16, 16, 1], seed=0)
    rng = random.Random(0)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(samples)]
    return nn.mse_loss([model(x) for x in X], [1.0] * samples)


@pytest.mark.parametrize(
    ("samples", "options"), [(100, {}), (100, {"sample": 3}), (20, {}), (20, {"rankdir": "TB"})]
)
def test_every_call_the_size_guard_suggests_draws_and_keeps_the_callers_options(
    samples, options
) -> None:
    """Issue 19.4: the advice keeps sample=3, names the legible collapse="sample" first for a
    batch, and each call it names draws (run here as written)."""
    import re

    from autograd import draw_dot

    loss = _batch_loss(samples)
    with pytest.raises(ValueError, match="more than max_nodes") as refused:
        draw_dot(loss, **options)
    calls = re.findall(r"(draw_dot\(root, [^)]*\)) draws it as (\d+) nodes", str(refused.value))
    assert calls, str(refused.value)
    if "sample" in options:
        assert all("sample=3" in call for call, _ in calls), calls
    else:
        assert calls[0][0].startswith("draw_dot(root, collapse='sample'"), calls
    for key, value in options.items():
        assert all(f"{key}={value!r}" in call for call, _ in calls), calls
    for call, _count in calls:
        graph = eval(call, {"draw_dot": draw_dot, "root": loss})  # as a reader would paste it
        assert graph.source.count("[label=") >= 1
