"""The demand-control stage: what an operation costs (docs/design/metering.md).

- `cost`: an operation compiled, once per plan, into a `CostFormula` from the supergraph's
  `@cost` and `@listSize` (IBM's cost directive semantics, as Apollo Router applies them): its
  estimated cost for given variables, its actual cost from a response, and the schema
  coordinates it touches;
- `cache`: formulas kept beside the plans, by the same key;
- `errors`: `COST_ESTIMATED_TOO_EXPENSIVE`, a request refused before any fetch;
- `config`: the `demand_control:` section.
"""

from gateway.demand.cache import CostCache
from gateway.demand.config import DemandControlConfig
from gateway.demand.cost import CostFormula, compile_cost
from gateway.demand.errors import COST_ESTIMATED_TOO_EXPENSIVE, CostTooExpensive

__all__ = [
    "COST_ESTIMATED_TOO_EXPENSIVE",
    "CostCache",
    "CostFormula",
    "CostTooExpensive",
    "DemandControlConfig",
    "compile_cost",
]
