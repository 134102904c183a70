"""Counting a response's actual cost while shaping writes it, instead of walking it again.

An operation's actual cost is its fields' weights times the values the response holds at their
positions (`gateway/demand/cost.py`, `CostFormula.actual`). Shaping already visits every value
it writes, so a shape plan built with the operation's cost nodes (`ShapePlan(costs=...)`) adds
each node's weight where it writes a value for it: per object for object fields (per list, from
its length, for lists of objects), per value for the few leaves that cost. Nodes are looked up
by response key, as `actual` reads the response, so the sum is the same.

The count is only kept when it is certain to be that sum (`ShapedCost.count`, else None and the
caller walks the response):
- shaping nulled nothing over an error (no value was malformed and no null reached a non-null
  position): a nulled object's fields were counted before it was nulled;
- no response key the cost nodes count is answered as `__typename` or an introspection field
  for some type (a key aliased to different fields in fragments on different types), which
  `actual` would count with the other field's node.
"""

from __future__ import annotations

from typing import Any, Protocol

from gateway.execution.shaping import Completer, LinkedPath, ShapingRun


class CostedField(Protocol):
    """A field that can cost (`gateway.demand.CostNode` fits)."""

    @property
    def key(self) -> str: ...

    @property
    def weight(self) -> int: ...

    @property
    def counted(self) -> tuple[CostedField, ...]: ...


# The fields that can cost at one position; None: nothing under it is counted.
Costs = tuple[CostedField, ...] | None


class ShapedCost:
    """What execution is asked to count (`tree`, the root fields' cost nodes) and what it
    counted (`count`: the fields' cost, without the operation's base; None when shaping could
    not count it, see above)."""

    __slots__ = ("count", "tree")

    def __init__(self, tree: tuple[CostedField, ...]) -> None:
        self.tree = tree
        self.count: int | None = None


def counted_leaf(inner: Completer, weight: int) -> Completer:
    """A leaf that costs (`@cost` on a scalar or enum field): its weight per value written."""

    def complete_counted_leaf(
        value: Any, parent: LinkedPath, key: str | int, run: ShapingRun
    ) -> Any:
        shaped = inner(value, parent, key, run)
        if value is not None:
            run.cost += weight
        return shaped

    return complete_counted_leaf
