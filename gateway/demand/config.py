"""The `demand_control:` section of `switchboard.yaml`."""

from __future__ import annotations

from pydantic import NonNegativeInt, PositiveInt

from gateway.config import Section

DEFAULT_LIST_SIZE = 10


class DemandControlConfig(Section):
    """Operation cost from `@cost` and `@listSize` (Apollo Router's static estimate). When on,
    every response carries `extensions.cost` and usage records carry the cost."""

    enabled: bool = False
    """Compute each operation's estimated and actual cost."""
    max_cost: PositiveInt | None = None
    """Operations estimated above this are refused with `COST_ESTIMATED_TOO_EXPENSIVE` before
    any fetch. Unset: costs are measured, nothing is refused."""
    list_size: NonNegativeInt = DEFAULT_LIST_SIZE
    """Items assumed in a list whose field has neither a slicing argument given nor an
    `assumedSize` (Router's `static_estimated.list_size`)."""
