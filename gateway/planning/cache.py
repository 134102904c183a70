"""`PlanCache`: plans are pure functions of (supergraph, operation, enabled progressive-override
labels), so they are kept, bounded, per (operation hash, operation name, labels). Only labels
the supergraph uses are part of the key (Router keys its plan cache by the enabled labels too):
with none, every request for an operation shares one entry. One cache belongs to one
supergraph; a reload makes a new one. Bounded by the bytes its plans hold (`gateway.lru`) as
well as by their number; `get` may be called from worker threads (large operations are
planned off the event loop). Plans are kept as they are served: with the entity fetches of a
step batched (`passes/batch_fetches.py`) unless `batch_fetches` is off."""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING

from gateway.footprint import footprint
from gateway.lru import ByteBoundedLru
from gateway.planning.nodes import QueryPlan
from gateway.planning.override_labels import NO_LABELS
from gateway.planning.passes.batch_fetches import batch_fetches
from gateway.planning.planner import plan
from gateway.supergraph import Supergraph

if TYPE_CHECKING:
    from gateway.operation.prepared import PreparedOperation

DEFAULT_CAPACITY = 1024
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

PlanKey = tuple[str, str | None, frozenset[str]]


class PlanCache:
    def __init__(
        self,
        supergraph: Supergraph,
        capacity: int = DEFAULT_CAPACITY,
        max_bytes: int = DEFAULT_MAX_BYTES,
        *,
        batch_fetches: bool = True,
    ) -> None:
        self.supergraph = supergraph
        self.batch_fetches = batch_fetches
        self.capacity = capacity
        self._labels = supergraph.override_labels
        self._plans: ByteBoundedLru[PlanKey, QueryPlan] = ByteBoundedLru(max_bytes, capacity)

    @property
    def hits(self) -> int:
        return self._plans.hits

    @property
    def misses(self) -> int:
        return self._plans.misses

    def __len__(self) -> int:
        return len(self._plans)

    @property
    def bytes(self) -> int:
        return self._plans.bytes

    @property
    def max_bytes(self) -> int:
        return self._plans.max_bytes

    def key(self, operation: PreparedOperation, enabled_labels: Set[str] = NO_LABELS) -> PlanKey:
        labels = NO_LABELS
        if self._labels and enabled_labels:
            labels = frozenset(enabled_labels) & self._labels
        return (operation.hash, operation.name, labels)

    def get(self, operation: PreparedOperation, enabled_labels: Set[str] = NO_LABELS) -> QueryPlan:
        # `key()` inlined: this runs for every request.
        labels = NO_LABELS
        if self._labels and enabled_labels:
            labels = frozenset(enabled_labels) & self._labels
        key = (operation.hash, operation.name, labels)
        found = self._plans.get(key)
        if found is not None:
            return found
        built = plan(self.supergraph, operation, labels)
        if self.batch_fetches:
            built = batch_fetches(built)
        self._plans.put(key, built, footprint(built))
        return built
