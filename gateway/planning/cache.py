"""`PlanCache`: plans are pure functions of (supergraph, operation), so they are kept, bounded,
per (operation hash, operation name). One cache belongs to one supergraph; a reload makes a new
one."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import TYPE_CHECKING

from gateway.planning.nodes import QueryPlan
from gateway.planning.planner import plan
from gateway.supergraph import Supergraph

if TYPE_CHECKING:
    from gateway.operation.prepared import PreparedOperation

DEFAULT_CAPACITY = 1024


class PlanCache:
    def __init__(self, supergraph: Supergraph, capacity: int = DEFAULT_CAPACITY) -> None:
        self.supergraph = supergraph
        self.capacity = capacity
        self._plans: OrderedDict[tuple[str, str | None], QueryPlan] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._plans)

    def get(self, operation: PreparedOperation) -> QueryPlan:
        key = (operation.hash, operation.name)
        with self._lock:
            found = self._plans.get(key)
            if found is not None:
                self._plans.move_to_end(key)
                return found
        built = plan(self.supergraph, operation)
        with self._lock:
            self._plans[key] = built
            self._plans.move_to_end(key)
            while len(self._plans) > self.capacity:
                self._plans.popitem(last=False)
        return built
