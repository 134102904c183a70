"""`InflightRequests`: identical subgraph queries in flight at the same moment share one
exchange (in-flight deduplication, Apollo Router's `deduplicate_query`).

When many clients send the same operation at once, the plan's fetches are the same requests:
same subgraph, same body, same headers. The first one goes out; the others wait for its answer
instead of sending their own. Nothing is cached: once the answer arrives the entry is gone, and
the next request goes out again.

What may share, decided by `HttpSubgraphClient` (docs/design/inflight-dedup.md):
- only queries (idempotent requests), never mutations;
- keyed on the subgraph's name and URL, the exact request body (operation text, operation
  name, variables, as sent) and every header sent except trace context (`traceparent`,
  `tracestate`, `baggage`, different on every request and meaningless to authorization). Two
  principals share an answer only when the subgraph would have seen byte-identical requests,
  their `authorization` headers included.

What is shared is the raw exchange (status and body bytes): each waiter decodes its own copy,
since the executor merges answers into its response tree in place.

The exchange runs as a task of its own. A waiter that is cancelled (its client went away, its
request timed out) stops waiting without cancelling the exchange for the others; the exchange is
cancelled only when no one waits for it any more. A failure of the exchange (an exception) is
raised to every waiter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, Generic, TypeVar

Result = TypeVar("Result")

# Headers that differ on every request and say nothing about who asks.
TRACE_CONTEXT_HEADERS = frozenset({"traceparent", "tracestate", "baggage"})


class _Exchange(Generic[Result]):
    __slots__ = ("task", "waiters")

    def __init__(self, task: asyncio.Task[Result]) -> None:
        self.task = task
        self.waiters = 0


class InflightRequests(Generic[Result]):
    """Exchanges in flight by key; `share` joins one or starts it."""

    def __init__(self) -> None:
        self._exchanges: dict[Hashable, _Exchange[Result]] = {}
        # Exchanges started, and those answered from another's exchange (tests, metrics).
        self.started = 0
        self.shared = 0

    def __len__(self) -> int:
        return len(self._exchanges)

    async def share(
        self, key: Hashable, exchange: Callable[[], Coroutine[Any, Any, Result]]
    ) -> Result:
        """The result of the exchange in flight under `key`, started by calling `exchange` when
        there is none."""
        entry = self._exchanges.get(key)
        if entry is None:
            entry = _Exchange(asyncio.get_running_loop().create_task(exchange()))
            self._exchanges[key] = entry
            entry.task.add_done_callback(lambda _: self._finished(key, entry))
            self.started += 1
        else:
            self.shared += 1
        entry.waiters += 1
        try:
            # `shield`: cancelling this waiter does not cancel the exchange itself.
            return await asyncio.shield(entry.task)
        except asyncio.CancelledError:
            if not entry.task.done():
                entry.waiters -= 1
                if entry.waiters == 0:
                    # Forgotten at once: a request arriving while it winds down starts afresh
                    # rather than joining an exchange that will only raise `CancelledError`.
                    if self._exchanges.get(key) is entry:
                        del self._exchanges[key]
                    entry.task.cancel()
            raise

    def _finished(self, key: Hashable, entry: _Exchange[Result]) -> None:
        if self._exchanges.get(key) is entry:
            del self._exchanges[key]
        # Retrieved here so that an exchange whose waiters all left does not log "exception
        # was never retrieved"; the waiters still present get it from `shield`.
        if not entry.task.cancelled():
            entry.task.exception()


def header_key(headers: Any) -> tuple[tuple[str, str], ...]:
    """The headers that decide who is asking, as a hashable key: all of them but trace
    context, names lower-cased, in a stable order."""
    return tuple(
        sorted(
            (name.lower(), value)
            for name, value in headers
            if name.lower() not in TRACE_CONTEXT_HEADERS
        )
    )
