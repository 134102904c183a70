"""Domain events and the bus they travel on (docs/architecture.md §4).

Subgraphs publish an event for every committed state change, through their transactional outbox
(`subgraphs/common/outbox.py`), so an event is never lost nor announces a change that rolled
back. Each event gets a monotonically increasing integer id from the bus, so a consumer can
resume after the last id it saw. Two implementations share the `EventBus` protocol:
`InMemoryEventBus` here (the embedded default; one process, bounded retention) and a Redis
Streams bus for replicas.
"""

from __future__ import annotations

import asyncio
import enum
import os
from collections import deque
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol


class EventType(enum.StrEnum):
    APP_PUBLISHED = "app.published"
    APP_DEPRECATED = "app.deprecated"
    APP_UPDATED = "app.updated"
    APP_STATUS_CHANGED = "app.status_changed"
    APP_WEBHOOK_DISABLED = "app.webhook_disabled"
    INSTALLATION_CREATED = "installation.created"
    INSTALLATION_SCOPES_CHANGED = "installation.scopes_changed"
    INSTALLATION_REMOVED = "installation.removed"
    GRANT_REVOKED = "grant.revoked"
    LISTING_UPDATED = "listing.updated"
    REVIEW_CREATED = "review.created"
    USAGE_THRESHOLD_EXCEEDED = "usage.threshold_exceeded"


@dataclass(frozen=True)
class Event:
    id: int
    type: EventType
    occurred_at: datetime
    payload: dict[str, Any]
    app_id: str | None = None
    installation_id: str | None = None
    workspace_id: str | None = None


class EventBus(Protocol):
    async def publish(
        self,
        type: EventType,
        payload: dict[str, Any],
        *,
        app_id: str | None = None,
        installation_id: str | None = None,
        workspace_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Event:
        """Publish with the next id; `occurred_at` is when the change committed (now when
        not given: an outbox relaying later passes its row's time)."""
        ...

    def subscribe(
        self, *, types: Collection[EventType] | None = None, after: int | None = None
    ) -> AsyncIterator[Event]:
        """Events newer than `after` (replayed from retention first), then live ones."""
        ...

    async def latest_id(self) -> int:
        """The id of the newest event published so far (0 before the first): where a new
        consumer that must not miss anything from now on starts."""
        ...

    async def oldest_id(self) -> int:
        """The id of the oldest event still retained (`latest_id() + 1` when none is): a
        consumer resuming after an id below `oldest_id() - 1` would miss events."""
        ...


@dataclass
class InMemoryEventBus:
    """A single-process bus keeping the newest `retention` events for replay."""

    retention: int = 10_000
    _events: deque[Event] = field(init=False)
    _next_id: int = field(default=1, init=False)
    _changed: asyncio.Condition | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._events = deque(maxlen=self.retention)

    @property
    def published(self) -> list[Event]:
        """The retained events, oldest first."""
        return list(self._events)

    def _condition(self) -> asyncio.Condition:
        # Created lazily so the bus can be built outside a running event loop.
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def publish(
        self,
        type: EventType,
        payload: dict[str, Any],
        *,
        app_id: str | None = None,
        installation_id: str | None = None,
        workspace_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Event:
        event = Event(
            id=self._next_id,
            type=type,
            occurred_at=occurred_at or datetime.now(UTC),
            payload=payload,
            app_id=app_id,
            installation_id=installation_id,
            workspace_id=workspace_id,
        )
        self._next_id += 1
        self._events.append(event)
        condition = self._condition()
        async with condition:
            condition.notify_all()
        return event

    async def latest_id(self) -> int:
        return self._next_id - 1

    async def oldest_id(self) -> int:
        return self._events[0].id if self._events else self._next_id

    async def subscribe(
        self, *, types: Collection[EventType] | None = None, after: int | None = None
    ) -> AsyncIterator[Event]:
        last_seen = self._next_id - 1 if after is None else after
        condition = self._condition()
        while True:
            pending = [event for event in self._events if event.id > last_seen]
            for event in pending:
                last_seen = event.id
                if types is None or event.type in types:
                    yield event
            async with condition:
                if self._next_id - 1 == last_seen:
                    await condition.wait()


def bus_from_environment() -> EventBus:
    """`EVENT_BUS=redis` (with `REDIS_URL`, and `EVENT_STREAM` to share a stream other than
    `switchboard:events`) for replicas; the in-memory bus otherwise."""
    if os.environ.get("EVENT_BUS", "memory") == "redis":
        from subgraphs.common.redis_bus import RedisEventBus

        return RedisEventBus.from_url(
            os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            stream=os.environ.get("EVENT_STREAM", "switchboard:events"),
        )
    return InMemoryEventBus()
