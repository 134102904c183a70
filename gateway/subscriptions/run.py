"""`SubscriptionRun`: one client's subscription, from the upstream events to shaped results.

    plan (Pipeline.plan_subscription) → join the shared upstream stream of its primary fetch
    (`shared.py`; resumable, pooled) → for each event: the subscriber still valid? → the rest
    of the plan (entity fetches) → shaping with the subscriber's authorization → a result with
    `extensions.eventId` (the rest of the plan and the shaping run once per event for every
    subscriber with the same shape key, `SharedEvent.shaping`)

A client that resumes (`Last-Event-ID`, `after`) first reads its gap on an upstream operation
of its own (`after` = its position) while it joins the shared live stream, whose events wait
in `pending`; as soon as its own stream reaches an event the shared one has too, it switches:
the pending events newer than the last one it got follow, its own operation is stopped, and
the shared stream's events older than that are dropped. No gap, no duplicate: both streams
carry every event of the subscription in bus-id order. When ids are not numbers, it stays on
its own stream.

Events wait in a bounded buffer between the upstream reader and the client: a client that
falls `buffer_size` events behind is ended with `SUBSCRIPTION_BUFFER_OVERFLOW` (it resumes
after the last id it got), so memory per subscriber never grows without bound. Anything that
ends a stream early — expiry, revocation, a reload without the field, shutdown, the upstream
failing — goes through `end_with`, and the client gets one last result saying why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import orjson

from gateway.auth import Revocations
from gateway.execution import SubgraphClient, SubgraphResponse
from gateway.execution.execute import execute_event
from gateway.execution.redaction import SubgraphErrorPolicy
from gateway.execution.variables import coerce_variables
from gateway.planning.nodes import Subscription
from gateway.subscriptions.direct import DirectDelivery
from gateway.subscriptions.errors import (
    EXPIRED,
    OVERFLOW,
    REVOKED,
    UPSTREAM,
    Ending,
    UpstreamClosed,
)
from gateway.subscriptions.resume import primary_fetch
from gateway.subscriptions.shared import (
    TRACE_HEADERS,
    Shaped,
    SharedEvent,
    SharedStream,
    SharedStreams,
)
from gateway.subscriptions.upstream import UpstreamPool, UpstreamSubscription

if TYPE_CHECKING:
    from gateway.server.pipeline import Planned

logger = logging.getLogger("gateway.subscriptions")

JsonObject = dict[str, Any]
# A shaped result and the bus id of its event (None for a result about no event).
Delivered = tuple[JsonObject, str | None]
# live: on the shared stream; catching_up: reading its gap on its own stream, the shared
# stream's events pending; own: on its own stream only.
Mode = Literal["live", "catching_up", "own"]


class _OwnStream:
    """The `Delivery` of a resuming client's own upstream operation."""

    __slots__ = ("root_key", "run")

    def __init__(self, run: SubscriptionRun, root_key: str) -> None:
        self.run = run
        self.root_key = root_key

    def next(self, payload: JsonObject) -> None:
        self.run.own_next(SharedEvent(payload, self.root_key, shared=False))

    def end(self, failure: UpstreamClosed | None) -> None:
        self.run.own_end(failure)


async def _unstarted(payload: JsonObject) -> Shaped:
    raise RuntimeError("an event reached a subscription that has not started")


class SubscriptionRun:
    def __init__(
        self,
        planned: Planned,
        variables: Mapping[str, Any] | None,
        *,
        client: SubgraphClient,
        pool: UpstreamPool,
        streams: SharedStreams,
        url_of: Callable[[str], str],
        subgraph_errors: SubgraphErrorPolicy,
        revocations: Revocations | None,
        buffer_size: int,
        resume_after: str | None = None,
        direct: DirectDelivery | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.planned = planned
        self.variables = variables
        self.client = client
        self.pool = pool
        self.streams = streams
        self.url_of = url_of
        self.subgraph_errors = subgraph_errors
        self.revocations = revocations
        self.buffer_size = buffer_size
        self.resume_after = resume_after
        # Set: events are written to the client's connection directly (`direct.py`) until a
        # write is refused; the results below are then only the stream's last one.
        self.direct = direct
        self.clock = clock
        # Lists, not deques: they hold one event or none most of the time, and an empty
        # list is a tenth of an empty deque (memory per subscriber, docs/benchmarks.md).
        # Each event with its shaping for this subscriber's shape key.
        self.inbox: list[tuple[SharedEvent, asyncio.Future[Shaped]]] = []
        self.pending: list[SharedEvent] = []
        self._waiter: asyncio.Future[None] | None = None
        # Set when the subscription starts (`results`): what its results are shaped by.
        self.shape_key: Hashable = None
        self.shape: Callable[[JsonObject], Awaitable[Shaped]] = _unstarted
        self.ending: Ending | None = None
        self.upstream_done = False
        self.last_event_id: str | None = resume_after
        self.mode: Mode = "live"
        # The last event id taken from the client's own stream (catching up).
        self.floor: int | None = None
        self.shared: SharedStream | None = None
        self.own: UpstreamSubscription | None = None
        self._own_closing: asyncio.Task[None] | None = None

    # Delivery, called by the upstream connection's reader: never blocks.
    def shared_next(self, event: SharedEvent) -> None:
        if self.mode == "live":
            if self.floor is not None and (event.number is None or event.number <= self.floor):
                return  # already delivered from its own stream
            self._take(event)
        elif self.mode == "catching_up":
            if event.number is None:
                self._stay_own()
            elif self.floor is not None and event.number <= self.floor:
                self._go_live()  # its own stream is past this one: the rest follows live
            elif len(self.pending) >= self.buffer_size:
                self.end_with(OVERFLOW)
            else:
                self.pending.append(event)

    def shared_end(self, failure: UpstreamClosed | None) -> None:
        if self.mode == "live":
            self.end(failure)
        elif self.mode == "catching_up":
            self._stay_own()  # its own stream says how it ends

    def own_next(self, event: SharedEvent) -> None:
        if self.mode == "live":
            return  # switched: the shared stream has it
        self._take(event)
        if self.mode == "catching_up":
            if event.number is None:
                self._stay_own()
                return
            self.floor = event.number
            if self.pending and (self.pending[0].number or 0) <= self.floor:
                self._go_live()

    def own_end(self, failure: UpstreamClosed | None) -> None:
        if self.mode != "live":
            self.end(failure)

    def _take(self, event: SharedEvent) -> None:
        if len(self.inbox) >= self.buffer_size:
            self.end_with(OVERFLOW)
            return
        # The shaping starts now (once per shape key); the subscriber is told when its result
        # is ready, not before only to wait for it again: one wake per event, or none when
        # it is written directly.
        shaping = event.shaping(self.shape_key, self.shape, self._shaped)
        self.inbox.append((event, shaping))
        if shaping.done():
            self._shaped()

    def _shaped(self) -> None:
        """A result is ready: wake the task, or, with direct delivery, write the results
        ready at the head of the inbox, in order (no task step). A failed shaping or a
        refused write (the connection is closing or its client reads slowly) wakes the task,
        which goes on through ASGI from that event on, its inbox bounded as ever; an ending
        wakes it to send the last result."""
        direct = self.direct
        if direct is None:
            self._wake()
            return
        inbox = self.inbox
        while inbox and self.ending is None:
            event, shaping = inbox[0]
            if not shaping.done():
                return  # its own callback comes back here
            if shaping.cancelled() or shaping.exception() is not None:
                break  # the task raises it, as on the ASGI path
            invalid = self.still_valid()
            if invalid is not None:
                self.end_with(invalid)
                return
            if not direct.deliver(shaping.result(), event.event_id):
                break
            inbox.pop(0)
            if event.event_id is not None:
                self.last_event_id = event.event_id
        else:
            if self.upstream_done:
                self._wake()  # the task ends the stream once the inbox is written
            return
        self.direct = None
        self._wake()

    def _go_live(self) -> None:
        self.mode = "live"
        pending, self.pending = self.pending, []
        for event in pending:
            if event.number is not None and self.floor is not None and event.number > self.floor:
                self._take(event)
        if self.own is not None:
            own, self.own = self.own, None
            self._own_closing = self.streams.stop(own)

    def _stay_own(self) -> None:
        self.mode = "own"
        self.pending.clear()
        if self.shared is not None:
            shared, self.shared = self.shared, None
            self.streams.leave(shared, self)  # stops the upstream operation if it was the last

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _sleep(self) -> None:
        """Until `_wake` (one future per wait, not an `asyncio.Event` and its deque)."""
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def on_own_stream(self) -> bool:
        return self.mode == "own"

    def end(self, failure: UpstreamClosed | None) -> None:
        self.upstream_done = True
        if failure is not None:
            logger.info("upstream subscription ended: %s", failure)
            self.end_with(UPSTREAM)
        self._wake()

    def end_with(self, ending: Ending) -> None:
        """End the stream with this reason (the first reason given wins)."""
        if self.ending is None:
            self.ending = ending
        self._wake()

    @property
    def field_name(self) -> str:
        selection = self.planned.operation.selection_set.selections[0]
        return str(getattr(getattr(selection, "name", None), "value", ""))

    def still_valid(self) -> Ending | None:
        """Whether the subscriber's token still holds: checked per event and by the sweeper."""
        principal = self.planned.principal
        if (
            principal.authenticated
            and principal.expires_at
            and self.clock() >= principal.expires_at
        ):
            return EXPIRED
        if self.revocations is not None and self.revocations.is_revoked(principal):
            return REVOKED
        return None

    async def results(self) -> AsyncGenerator[Delivered, None]:
        """The shaped results, each with its event's id; the last one says why, if the stream
        ended early. Raises `RequestError` for invalid variables (before anything is sent)."""
        planned = self.planned
        node = planned.plan.node
        assert isinstance(node, Subscription)
        schema = planned.state.supergraph.api_schema
        coerced = coerce_variables(schema, planned.access.operation.definition, self.variables)
        primary = primary_fetch(schema, node.primary)
        fetch = primary.fetch
        variables = {name: coerced[name] for name in fetch.variable_usages if name in coerced}
        position = self.resume_after
        if position is None and primary.given_after is not None:
            position = primary.given_after
        if position is None and primary.given_after_variable is not None:
            given = coerced.get(primary.given_after_variable)
            position = None if given is None else str(given)
        if primary.after_variable is not None:
            variables[primary.after_variable] = None  # live: from now on
        request: JsonObject = {"query": fetch.operation, "variables": variables}
        if fetch.operation_name:
            request["operationName"] = fetch.operation_name
        url = self.url_of(fetch.service_name)
        headers = planned.forwarded
        self.shape_key = self._shape_key(coerced)

        async def shape(payload: JsonObject) -> Shaped:
            return await self._shape(payload, coerced)

        self.shape = shape

        try:
            if position is not None and primary.after_variable is not None:
                # Its own operation from its position; the shared live stream unless the
                # events have no comparable ids.
                own = dict(request, variables={**variables, primary.after_variable: position})
                self.mode = "catching_up" if primary.event_ids else "own"
                self.own = await self.pool.subscribe(
                    url, headers, own, _OwnStream(self, primary.root_key)
                )
            if not self.on_own_stream():
                stream = await self.streams.join(
                    self.pool, url, headers, request, primary.root_key, self
                )
                if not self.on_own_stream():  # it may have given up on the shared one meanwhile
                    self.shared = stream
                else:
                    closing = self.streams.leave(stream, self)
                    if closing is not None:
                        await asyncio.shield(closing)
        except UpstreamClosed as failure:
            self.end(failure)
        try:
            while True:
                if self.ending is None:
                    invalid = self.still_valid()
                    if invalid is not None:
                        self.end_with(invalid)
                if self.ending is not None:
                    yield self.ending.result(self.last_event_id), None
                    return
                if self.inbox and self.direct is None:
                    event, shaping = self.inbox.pop(0)
                    shaped = shaping.result() if shaping.done() else await asyncio.shield(shaping)
                    if event.event_id is not None:
                        self.last_event_id = event.event_id
                    yield shaped, event.event_id
                    continue
                if self.upstream_done and not self.inbox:
                    return
                await self._sleep()
        finally:
            await self._leave()

    async def _leave(self) -> None:
        """Stop its own upstream operation and leave the shared stream. The stops run on
        tasks of their own, shielded: this runs when the client went away, often while
        being cancelled, and a cancelled stop would leave the subgraph's resolver running."""
        self.mode = "own"
        stops = []
        if self.shared is not None:
            shared, self.shared = self.shared, None
            stops.append(self.streams.leave(shared, self))
        if self.own is not None:
            own, self.own = self.own, None
            stops.append(self.streams.stop(own))
        stops.append(self._own_closing)
        for stop in stops:
            if stop is not None:
                await asyncio.shield(stop)

    def _shape_key(self, coerced: Mapping[str, Any]) -> Hashable:
        """What makes two subscribers' results the same for the same event: the operation
        and its plan (supergraph state), its variables, the headers sent to subgraphs (but
        trace context) and what the auth stage took out of it."""
        planned = self.planned
        return (
            id(planned.state),
            planned.operation.hash,
            planned.operation.name,
            planned.access.operation.hash,
            tuple(id(field) for field in planned.access.denied),
            # As text: orjson's bytes keep a 4 KiB buffer, and every subscriber keeps its key.
            orjson.dumps(coerced, option=orjson.OPT_SORT_KEYS, default=str).decode(),
            tuple(
                sorted(
                    (name.lower(), value)
                    for name, value in planned.forwarded.items()
                    if name.lower() not in TRACE_HEADERS
                )
            ),
        )

    async def _shape(self, payload: JsonObject, coerced: Mapping[str, Any]) -> Shaped:
        planned = self.planned
        data = payload.get("data")
        errors = payload.get("errors")
        response = SubgraphResponse(
            data if isinstance(data, dict) else None,
            [error for error in errors if isinstance(error, dict)]
            if isinstance(errors, list)
            else [],
        )
        shaped = await execute_event(
            planned.plan,
            response,
            planned.access.operation,
            coerced,
            planned.state.supergraph,
            self.client,
            planned.forwarded,
            self.subgraph_errors,
            shaped_operation=planned.operation,
            before_shaping=planned.before_shaping,
        )
        return Shaped(shaped)
