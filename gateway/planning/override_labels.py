"""`OverrideLabels`: which progressive-override labels are on for one request, as Apollo Router
decides it (its `progressive_override` plugin):

- `percent(N)`: on with probability N/100, rolled independently per label and per request
  (`random() * 100 < N`: `percent(100)` always, `percent(0)` never);
- any other (custom) label: off unless the gateway's configuration enables it
  (`override_labels: {enabled: [...]}`; Router enables them from a coprocessor or Rhai).

The result goes to the planner (`plan(..., enabled_labels)`) and into the plan cache's key.
Only labels the supergraph uses are ever returned, so the cache does not fragment, and a
supergraph without labels returns the same empty set every time without rolling.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from gateway.supergraph import Supergraph
from gateway.supergraph.override_labels import label_percent

NO_LABELS: frozenset[str] = frozenset()


class RandomSource(Protocol):
    """What rolling needs of a `random.Random` (or the `random` module): a float in [0, 1)."""

    def random(self) -> float: ...


@dataclass(frozen=True)
class OverrideLabels:
    # On for every request: percent labels of 100 or more, and configured labels.
    always: frozenset[str] = NO_LABELS
    # (label, N) for each `percent(N)` with 0 < N < 100, in label order so that a seeded
    # source gives the same labels every run.
    rolled: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, supergraph: Supergraph, configured: Iterable[str] = ()) -> OverrideLabels:
        used = supergraph.override_labels
        always = set(used.intersection(configured))
        rolled: list[tuple[str, float]] = []
        for label in sorted(used - always):
            percent = label_percent(label)
            if percent is None or percent <= 0:
                continue
            if percent >= 100:
                always.add(label)
            else:
                rolled.append((label, percent))
        return cls(frozenset(always), tuple(rolled))

    def roll(self, source: RandomSource) -> frozenset[str]:
        """The labels on for one request."""
        if not self.rolled:
            return self.always
        won = [label for label, percent in self.rolled if source.random() * 100 < percent]
        return self.always.union(won) if won else self.always


NO_OVERRIDE_LABELS = OverrideLabels()
