"""Shared upstream subscriptions: one upstream operation for identical client subscriptions.

Two client subscriptions whose primary fetch is the same request to the same subgraph — the same
operation text, variables and forwarded `Authorization`, byte for byte once serialised (the rule
of in-flight deduplication, docs/design/inflight-dedup.md) — share one upstream operation: the
subgraph runs one resolver, not one per client. Two principals never share, since their tokens
differ. The live request of every client is the one without a resume position (`$sb_after:
null`, `resume.py`), so clients that resumed share it too once they caught up (`run.py`).

    SharedStreams.join(pool, url, headers, request, root_key, member) → SharedStream
        SharedStream.next(payload)  (on the upstream reader) → SharedEvent → member.shared_next
        the last member leaving closes the upstream operation

Each event becomes one `SharedEvent`, handed to every member without waiting; members buffer it
in their own bounded inbox (a slow one overflows alone). The rest of the plan and the shaping
run once per event and per shape key (`SharedEvent.shaping`): members whose operation, variables,
forwarded headers and authorization outcome are equal get the very same result, which is also
encoded once (`Shaped.data_fragment`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any, Protocol

import orjson

from gateway.subscriptions.errors import UpstreamClosed
from gateway.subscriptions.resume import EVENT_ID_KEY
from gateway.subscriptions.sse import EVENT_ID
from gateway.subscriptions.upstream import UpstreamPool, UpstreamSubscription

logger = logging.getLogger("gateway.subscriptions")

JsonObject = dict[str, Any]
# Trace context differs on every request and says nothing about who asks.
TRACE_HEADERS = frozenset({"traceparent", "tracestate", "baggage"})


# A protocol's message around an encoded payload, given the event's id (`direct.py`).
Envelope = Callable[[bytes, str | None], bytes]
# A connection's framing of a message (`gateway/server/direct_write.py`).
Framing = Callable[[bytes], bytes]


class Shaped(dict[str, Any]):
    """A shaped result that may go to many subscribers: its `data` is encoded once, and so is
    its whole payload for subscribers written to directly (`direct.py`), and its framed
    message for a run of them with the same envelope and framing."""

    __slots__ = ("_fragment", "_framed", "_payload")
    _fragment: orjson.Fragment
    _payload: tuple[str | None, bytes]
    _framed: tuple[Envelope, Framing, str | None, bytes]

    def data_fragment(self) -> orjson.Fragment | None:
        """`data` as JSON already encoded (orjson writes it as is into every frame)."""
        data = self.get("data")
        if data is None:
            return None
        fragment: orjson.Fragment | None = getattr(self, "_fragment", None)
        if fragment is None:
            fragment = self._fragment = orjson.Fragment(orjson.dumps(data))
        return fragment

    def payload(self, event_id: str | None) -> bytes:
        """The result as a GraphQL response with the event's id in `extensions.eventId`,
        encoded: what Strawberry's handlers send for it (`FederatedSchema._subscription`)."""
        cached: tuple[str | None, bytes] | None = getattr(self, "_payload", None)
        if cached is not None and cached[0] == event_id:
            return cached[1]
        data = self.data_fragment()
        response: JsonObject = {"data": data}
        errors = self.get("errors")
        if errors:
            response["errors"] = errors
        if event_id is not None:
            response["extensions"] = {EVENT_ID: event_id}
        encoded = orjson.dumps(response)
        self._payload = (event_id, encoded)
        return encoded

    def framed(self, envelope: Envelope, framing: Framing, event_id: str | None) -> bytes:
        """The payload in `envelope`, framed: built again only when the envelope or framing
        differs from the last subscriber's (only the last is kept: a run of subscribers
        with the same one, as they usually come, shares it, and memory stays one message)."""
        last: tuple[Envelope, Framing, str | None, bytes] | None = getattr(self, "_framed", None)
        if last is not None and last[0] is envelope and last[1] is framing and last[2] == event_id:
            return last[3]
        message = framing(envelope(self.payload(event_id), event_id))
        self._framed = (envelope, framing, event_id, message)
        return message

    def with_entries(self, **entries: Any) -> Shaped:
        """A copy with `entries` added (a request's own `extensions`) whose `data` is this
        one's, encoded once for both."""
        copy = Shaped(self, **entries)
        fragment = self.data_fragment()
        if fragment is not None:
            copy._fragment = fragment
        return copy


class SharedEvent:
    """One upstream event, with its bus id, and its shaped results by shape key."""

    __slots__ = ("_payload", "_raw", "_shaped", "event_id", "number")

    def __init__(self, payload: JsonObject, root_key: str, *, shared: bool) -> None:
        event_id: str | None = None
        data = payload.get("data")
        if isinstance(data, dict):
            root = data.get(root_key)
            if isinstance(root, dict):
                raw_id = root.pop(EVENT_ID_KEY, None)
                event_id = None if raw_id is None else str(raw_id)
        self.event_id = event_id
        # Bus ids grow with publication order; only numeric ones can be compared.
        self.number = (
            int(event_id) if event_id is not None and event_id.isascii() and event_id.isdigit()
            else None
        )  # fmt: skip
        # The executor merges entity answers into the event in place: each shaping of a shared
        # event decodes its own copy.
        self._payload: JsonObject | None = None if shared else payload
        self._raw: bytes | None = orjson.dumps(payload) if shared else None
        # By shape key: the shaping, and who waits for it (`shaping`).
        self._shaped: dict[Hashable, tuple[asyncio.Future[Shaped], list[Callable[[], None]]]] = {}

    def payload(self) -> JsonObject:
        if self._raw is not None:
            return orjson.loads(self._raw)  # type: ignore[no-any-return]
        assert self._payload is not None
        payload, self._payload = self._payload, None
        return payload

    def shaping(
        self,
        key: Hashable,
        shape: Callable[[JsonObject], Awaitable[Shaped]],
        when_done: Callable[[], None] | None = None,
    ) -> asyncio.Future[Shaped]:
        """The result for `key`: shaped on a task started by the first member that takes the
        event, awaited by the others (through a shield: a member whose client leaves does not
        cancel it for the rest). `when_done` is called once it is done, unless it is already:
        the callbacks of a key run in one loop, in the order they were given, from one
        callback of the future, not one event-loop callback per subscriber."""
        entry = self._shaped.get(key)
        if entry is None:
            started: asyncio.Future[Shaped] = asyncio.ensure_future(shape(self.payload()))
            started.add_done_callback(_retrieve)
            callbacks: list[Callable[[], None]] = []
            started.add_done_callback(_run_all(callbacks))
            entry = self._shaped[key] = (started, callbacks)
        future, waiting = entry
        if when_done is not None and not future.done():
            waiting.append(when_done)
        return future


def _run_all(callbacks: list[Callable[[], None]]) -> Callable[[asyncio.Future[Shaped]], None]:
    def run_all(_: asyncio.Future[Shaped]) -> None:
        for callback in callbacks:
            try:
                callback()
            except Exception:  # one subscriber's failure must not starve the others
                logger.exception("delivering a subscription event failed")
        callbacks.clear()

    return run_all


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # raised to every waiter; not "never retrieved" when none is left


class Member(Protocol):
    def shared_next(self, event: SharedEvent) -> None: ...

    def shared_end(self, failure: UpstreamClosed | None) -> None: ...


class SharedStream:
    """One upstream operation and the client subscriptions it feeds (a `Delivery`)."""

    def __init__(self, key: Hashable, root_key: str) -> None:
        self.key = key
        self.root_key = root_key
        self.members: dict[Member, None] = {}  # insertion-ordered set
        self.opening: asyncio.Future[UpstreamSubscription] | None = None
        self.done = False

    def next(self, payload: JsonObject) -> None:
        event = SharedEvent(payload, self.root_key, shared=True)
        for member in list(self.members):
            member.shared_next(event)

    def end(self, failure: UpstreamClosed | None) -> None:
        self.done = True
        for member in list(self.members):
            member.shared_end(failure)


def share_key(
    url: str, headers: Mapping[str, str], request: JsonObject
) -> tuple[str, str | None, bytes]:
    authorization = next(
        (value for name, value in headers.items() if name.lower() == "authorization"), None
    )
    return url, authorization, orjson.dumps(request, option=orjson.OPT_SORT_KEYS)


class SharedStreams:
    """The open shared streams of a process, by upstream request."""

    def __init__(self) -> None:
        self._streams: dict[Hashable, SharedStream] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._streams)

    async def join(
        self,
        pool: UpstreamPool,
        url: str,
        headers: Mapping[str, str],
        request: JsonObject,
        root_key: str,
        member: Member,
    ) -> SharedStream:
        """Add `member` to the stream of this request, opening it upstream if none is open.
        Raises `UpstreamClosed` when it cannot open."""
        key = share_key(url, headers, request)
        stream = self._streams.get(key)
        if stream is None or stream.done:
            stream = SharedStream(key, root_key)
            self._streams[key] = stream
            opening = asyncio.ensure_future(pool.subscribe(url, headers, request, stream))
            opening.add_done_callback(self._opened(stream))
            stream.opening = opening
        stream.members[member] = None
        assert stream.opening is not None
        try:
            await asyncio.shield(stream.opening)
        except BaseException:
            closing = self.leave(stream, member)
            if closing is not None:
                await asyncio.shield(closing)
            raise
        return stream

    def _opened(self, stream: SharedStream) -> Callable[[asyncio.Future[Any]], None]:
        def opened(future: asyncio.Future[Any]) -> None:
            if future.cancelled() or future.exception() is not None:
                self._forget(stream)
            elif not stream.members:
                # Everyone left while it opened: stop it upstream at once.
                self._close_later(future.result())

        return opened

    def _forget(self, stream: SharedStream) -> None:
        stream.done = True
        if self._streams.get(stream.key) is stream:
            del self._streams[stream.key]

    def leave(self, stream: SharedStream, member: Member) -> asyncio.Task[None] | None:
        """Take `member` out; the last one out stops the upstream operation (the returned
        task does that; it runs on its own if nobody awaits it)."""
        stream.members.pop(member, None)
        if stream.members:
            return None
        was_done = stream.done
        self._forget(stream)
        opening = stream.opening
        if opening is None or not opening.done():
            return None  # `_opened` stops it once it is open
        if was_done or opening.cancelled() or opening.exception() is not None:
            return None
        return self._close_later(opening.result())

    def stop(self, upstream: UpstreamSubscription) -> asyncio.Task[None]:
        """Stop an upstream operation on a task of its own: a subscriber being cancelled
        (its client went away) does not cancel the stop with it."""
        return self._close_later(upstream)

    def _close_later(self, upstream: UpstreamSubscription) -> asyncio.Task[None]:
        task = asyncio.ensure_future(_close(upstream))  # kept until done
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        return task


async def _close(upstream: UpstreamSubscription) -> None:
    try:
        await upstream.close()
    except Exception:
        logger.exception("stopping an upstream subscription failed")
