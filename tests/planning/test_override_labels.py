"""Which progressive-override labels a request has on: Router's per-request roll of
`percent(N)` labels, custom labels from configuration."""

from __future__ import annotations

import random

import pytest

from gateway.planning import OverrideLabels
from tests.planning.harness import supergraph


class Fixed:
    """A random source that always answers the same number."""

    def __init__(self, value: float) -> None:
        self.value = value
        self.calls = 0

    def random(self) -> float:
        self.calls += 1
        return self.value


class Refusing:
    def random(self) -> float:
        raise AssertionError("nothing should be rolled")


def test_percent_100_is_always_on_percent_0_never_others_rolled() -> None:
    labels = OverrideLabels.of(supergraph("override"))
    assert labels.always == {"percent(100)"}
    assert labels.rolled == (("percent(25)", 25.0), ("percent(50)", 50.0))


def test_custom_labels_are_off_unless_configured() -> None:
    graph = supergraph("override")
    assert "beta-memos" not in OverrideLabels.of(graph).roll(Fixed(0.0))
    configured = OverrideLabels.of(graph, ["beta-memos", "not-in-the-supergraph"])
    assert configured.always == {"percent(100)", "beta-memos"}


def test_a_configured_percent_label_is_on_for_every_request() -> None:
    labels = OverrideLabels.of(supergraph("override"), ["percent(50)"])
    assert labels.always == {"percent(100)", "percent(50)"}
    assert labels.rolled == (("percent(25)", 25.0),)


@pytest.mark.parametrize(
    ("roll", "expected"),
    [
        (0.0, {"percent(100)", "percent(25)", "percent(50)"}),
        (0.3, {"percent(100)", "percent(50)"}),
        (0.5, {"percent(100)"}),
        (0.9999, {"percent(100)"}),
    ],
)
def test_a_label_is_on_when_the_roll_is_below_its_percentage(
    roll: float, expected: set[str]
) -> None:
    source = Fixed(roll)
    assert OverrideLabels.of(supergraph("override")).roll(source) == expected
    assert source.calls == 2


def test_each_percent_label_is_rolled_independently_at_its_rate() -> None:
    labels = OverrideLabels.of(supergraph("override"))
    source = random.Random(20240601)
    requests = 4000
    rolls = [labels.roll(source) for _ in range(requests)]
    share_25 = sum("percent(25)" in rolled for rolled in rolls) / requests
    share_50 = sum("percent(50)" in rolled for rolled in rolls) / requests
    both = sum({"percent(25)", "percent(50)"} <= rolled for rolled in rolls) / requests
    assert 0.22 < share_25 < 0.28
    assert 0.47 < share_50 < 0.53
    assert 0.10 < both < 0.15  # independent: about 25% of 50%


def test_a_supergraph_without_rolled_labels_never_rolls() -> None:
    for feature in ("basics", "keys"):
        labels = OverrideLabels.of(supergraph(feature))
        first = labels.roll(Refusing())
        assert first == frozenset()
        assert labels.roll(Refusing()) is first
