"""`CollapsedQueries`: identical client queries in flight at the same moment share one
execution (request collapsing, as a CDN's collapsed forwarding does; one level above the
subgraph fetches' in-flight deduplication, `gateway/execution/inflight.py`).

When many clients send the same query at once, each would run the same plan over the same
subgraph answers and shape the same response. The first one runs it; the others, once admitted
on their own (authenticated, authorized, costed, rate limited), wait for its response instead of
running their own. Nothing is cached: once the response is ready the entry is gone, and the next
request runs the plan again (docs/design/operation-collapsing.md).

What may share (`CollapsedQueries.key`):
- queries only, never mutations (subscriptions never come here);
- the same serving state (supergraph generation), the same plan and the same prepared operation
  (the plan cache and the operation cache hand out one object per operation, override labels
  and authorized part included), the same variables (as JSON, keys sorted);
- the same client headers, every one of them except trace context: the token, and whatever
  header rules would send on to a subgraph. Two principals never share.

What is shared is the response before anything per request is added (cost, throttle status,
headers): a `Shaped` dict, whose `data` the transport encodes once for every waiter. Waiters
only read it. The subgraph fetch times the execution collected go to each waiter's usage
record, and the actual cost its shaping counted (`Executed.cost`) to each waiter's metering:
the response is counted once, not once per waiter.

Failures and cancellation are `InflightRequests`': the execution runs as a task of its own; an
exception from it is raised to every waiter (each answers it as its pipeline answers any
internal failure); a waiter that is cancelled stops waiting without cancelling the execution
for the others, and the execution is cancelled only when no one waits any more.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Hashable, Mapping
from typing import Any, NamedTuple

import orjson

from gateway.execution.client import JsonObject
from gateway.execution.inflight import InflightRequests, header_key
from gateway.subscriptions.shared import Shaped
from gateway.usage import FETCH_TIMINGS


class Executed(NamedTuple):
    response: JsonObject
    # The fields' actual cost as shaping counted it (`gateway.execution.ShapedCost`); None
    # when it was not counted.
    cost: int | None = None


Execution = Callable[[], Coroutine[Any, Any, Executed]]


class _Answer:
    __slots__ = ("executed", "timings")

    def __init__(self, executed: Executed, timings: dict[str, float] | None) -> None:
        self.executed = executed
        self.timings = timings


class CollapsedQueries:
    """Executions in flight by key; `share` joins one or starts it."""

    def __init__(self) -> None:
        self.inflight: InflightRequests[_Answer] = InflightRequests()

    @staticmethod
    def key(
        identities: tuple[object, ...],
        variables: Mapping[str, Any] | None,
        headers: Mapping[str, str],
    ) -> Hashable | None:
        """What two requests must have in common to share an execution; None when this one
        may not share. `identities` are objects that are the same for the same execution (the
        serving state, the plan, the prepared operation): the running execution holds them,
        so their ids cannot be reused while it is in flight."""
        try:
            encoded = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS) if variables else b""
        except TypeError:
            return None
        return (*map(id, identities), encoded, header_key(headers.items()))

    async def share(
        self, key: Hashable, execution: Execution, timings: dict[str, float] | None
    ) -> Executed:
        """What the execution in flight under `key` answered (its response a `Shaped`),
        started by calling `execution` when there is none. Its subgraph fetch times are added
        to `timings`."""
        answer = await self.inflight.share(key, lambda: _answered(execution))
        if timings is not None and answer.timings:
            for subgraph, milliseconds in answer.timings.items():
                timings[subgraph] = timings.get(subgraph, 0.0) + milliseconds
        return answer.executed


async def _answered(execution: Execution) -> _Answer:
    # The execution's task has a copy of the first requester's context: its fetch times go to a
    # record of the execution's own, which every waiter then copies.
    timings: dict[str, float] | None = None
    if FETCH_TIMINGS.get() is not None:
        timings = {}
        FETCH_TIMINGS.set(timings)
    response, cost = await execution()
    return _Answer(Executed(Shaped(response), cost), timings)
