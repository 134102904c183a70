"""Reading progressive-override labels: `percent(N)` against custom labels."""

from __future__ import annotations

import pytest

from gateway.supergraph.override_labels import label_percent


@pytest.mark.parametrize(
    ("label", "percent"),
    [
        ("percent(100)", 100.0),
        ("percent(50)", 50.0),
        ("percent(0.5)", 0.5),
        ("percent(0)", 0.0),
        ("beta-badges", None),
        ("percent(fifty)", None),
        ("percent(50) ", None),
    ],
)
def test_label_percent(label: str, percent: float | None) -> None:
    assert label_percent(label) == percent
