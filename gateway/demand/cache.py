"""`CostCache`: cost formulas kept beside the plans, under the plan cache's key (operation
hash and name), so a cached plan's cost is never recompiled. One cache per supergraph."""

from __future__ import annotations

from gateway.demand.cost import CostFormula, compile_cost
from gateway.lru import ByteBoundedLru
from gateway.operation.prepared import PreparedOperation
from gateway.supergraph.supergraph import Supergraph

# A formula holds a few small objects per selected field.
BYTES_PER_COORDINATE = 400
DEFAULT_MAX_BYTES = 16 * 1024 * 1024


class CostCache:
    def __init__(
        self,
        supergraph: Supergraph,
        default_list_size: int,
        capacity: int,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.supergraph = supergraph
        self.default_list_size = default_list_size
        self._formulas: ByteBoundedLru[tuple[str, str | None], CostFormula] = ByteBoundedLru(
            max_bytes, capacity
        )

    def get(self, operation: PreparedOperation) -> CostFormula:
        key = (operation.hash, operation.name)
        found = self._formulas.get(key)
        if found is not None:
            return found
        formula = compile_cost(operation, self.supergraph, self.default_list_size)
        size = BYTES_PER_COORDINATE * (1 + len(formula.coordinates) + operation.selections)
        self._formulas.put(key, formula, size)
        return formula
