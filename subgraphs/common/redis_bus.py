"""The event bus on Redis Streams: durable within its retention, shared by every replica.

Ids must be integers that grow with publication order across all publishers, so a consumer can
resume after the last id it saw (SSE `Last-Event-ID`). A Lua script takes the next number from a
counter and appends the event under the stream id `<number>-0` in one atomic step; replay after
id N is then a plain `XREAD` from `N-0`.

A subscription outlives a quiet stream and a Redis failure: its socket waits longer than a
blocking read, a read that fails is logged and tried again from the same cursor, and a
subscription "from now" starts from the counter's current value rather than `$`, which would
skip whatever was published between two reads. A cancelled subscription ends at its next read
at the latest (`_end_if_cancelled`), even when redis-py swallowed the cancellation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Collection
from datetime import UTC, datetime
from typing import Any

import orjson
import redis.asyncio as redis

from subgraphs.common.events import Event, EventType

logger = logging.getLogger(__name__)

DEFAULT_BLOCK_MS = 5_000
RETRY_SECONDS = 0.5  # between two failed reads of the stream

_PUBLISH = """
local number = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], number .. '-0', 'event', ARGV[2])
return number
"""


class RedisEventBus:
    def __init__(
        self,
        client: redis.Redis,
        *,
        stream: str = "switchboard:events",
        retention: int = 100_000,
        block_ms: int = DEFAULT_BLOCK_MS,
    ) -> None:
        self._client = client
        self._stream = stream
        self._counter = f"{stream}:last-id"
        self._retention = retention
        self._block_ms = block_ms
        self._publish = client.register_script(_PUBLISH)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisEventBus:
        # A blocking XREAD waits up to `block_ms` for an event, so the socket must wait longer:
        # with redis-py's default (5 s, the default block too) every quiet stretch would end the
        # subscription with a TimeoutError.
        block_seconds = options.get("block_ms", DEFAULT_BLOCK_MS) / 1000
        return cls(redis.Redis.from_url(url, socket_timeout=block_seconds + 5), **options)

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
        occurred_at = occurred_at or datetime.now(UTC)
        body = orjson.dumps(
            {
                "type": type.value,
                "occurred_at": occurred_at.isoformat(),
                "payload": payload,
                "app_id": app_id,
                "installation_id": installation_id,
                "workspace_id": workspace_id,
            }
        )
        number = await self._publish(
            keys=[self._stream, self._counter], args=[self._retention, body]
        )
        return Event(
            id=int(number),
            type=type,
            occurred_at=occurred_at,
            payload=payload,
            app_id=app_id,
            installation_id=installation_id,
            workspace_id=workspace_id,
        )

    async def latest_id(self) -> int:
        number = await self._client.get(self._counter)
        return int(number or 0)

    async def oldest_id(self) -> int:
        # Read the counter first: an event published between the two reads then only makes
        # the answer conservative (the stream's first entry, not a number past it).
        latest = await self.latest_id()
        first = await self._client.xrange(self._stream, count=1)
        if not first:
            return latest + 1
        entry_id = first[0][0]
        text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        return int(text.split("-", 1)[0])

    async def subscribe(
        self, *, types: Collection[EventType] | None = None, after: int | None = None
    ) -> AsyncIterator[Event]:
        if after is None:
            after = await self.latest_id()
        cursor = f"{after}-0"
        while True:
            try:
                answer = await self._client.xread({self._stream: cursor}, block=self._block_ms)
            except (redis.ConnectionError, redis.TimeoutError) as error:
                _end_if_cancelled(error)
                logger.warning(
                    "reading %s after %s failed, trying again: %r", self._stream, cursor, error
                )
                await asyncio.sleep(RETRY_SECONDS)
                continue
            _end_if_cancelled()
            for _stream, entries in answer or []:
                for entry_id, fields in entries:
                    cursor = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                    event = _decode(cursor, fields[b"event"])
                    if types is None or event.type in types:
                        yield event

    async def close(self) -> None:
        await self._client.aclose()


def _end_if_cancelled(error: BaseException | None = None) -> None:
    """End a subscription whose task was cancelled during a read. redis-py drops the connection
    when a read is cancelled and can report that as a connection error, or as nothing at all,
    which its own retry answers by reading again: the cancellation is spent, and the task would
    read forever."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError from error


def _decode(entry_id: str, raw: bytes) -> Event:
    body = orjson.loads(raw)
    return Event(
        id=int(entry_id.split("-", 1)[0]),
        type=EventType(body["type"]),
        occurred_at=datetime.fromisoformat(body["occurred_at"]),
        payload=body["payload"],
        app_id=body["app_id"],
        installation_id=body["installation_id"],
        workspace_id=body["workspace_id"],
    )
