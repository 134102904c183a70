"""What every subscription field of the platform shares: resuming after a bus id, and only the
events the caller may see (docs/design/subscriptions.md).

A subscription field takes `after: ID`: the bus id of the last event the client saw. Events newer
than it still in the bus's retention are replayed first, then live ones follow, with no gap and
no repeat, since ids grow with publication order. An id older than the retention window is an
error (`EVENT_ID_TOO_OLD`), never a silent gap. Each subscription's events are read from the bus
by its own cursor, filtered by type, then by the field's `visible` rule for the caller.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection

from subgraphs.common.errors import BadUserInput, DomainError
from subgraphs.common.events import Event, EventBus, EventType

Visible = Callable[[Event], Awaitable[bool]]


class EventIdTooOld(DomainError):
    code = "EVENT_ID_TOO_OLD"


def parse_after(after: str | None) -> int | None:
    """The bus id in an `after` argument: a non-negative integer, as every event's `id`."""
    if after is None:
        return None
    text = str(after)
    if not text.isascii() or not text.isdigit():
        raise BadUserInput("`after` must be the `id` of an event.", argument="after")
    return int(text)


async def follow(
    bus: EventBus,
    *,
    types: Collection[EventType],
    after: str | None,
    visible: Visible,
) -> AsyncIterator[Event]:
    """The caller's events of `types` after `after` (replayed, then live); from now when
    `after` is null."""
    position = parse_after(after)
    if position is not None:
        oldest = await bus.oldest_id()
        if position + 1 < oldest:
            raise EventIdTooOld(
                "Events after this id are no longer retained; subscribe without `after` and "
                "read the current state instead.",
                after=str(position),
                oldestRetained=str(oldest),
            )
        position = min(position, await bus.latest_id())
    async for event in bus.subscribe(types=types, after=position):
        if await visible(event):
            yield event
