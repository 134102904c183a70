"""`SubscriptionRun`: one client's subscription, from the upstream events to shaped results.

    plan (Pipeline.plan_subscription) → open the primary fetch upstream (resumable, pooled)
    → for each event: the subscriber still valid? → the rest of the plan (entity fetches) →
      shaping with the subscriber's authorization → a result with `extensions.eventId`

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
from collections import deque
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import TYPE_CHECKING, Any

from gateway.auth import Revocations
from gateway.execution import SubgraphClient, SubgraphResponse
from gateway.execution.execute import execute_event
from gateway.execution.redaction import SubgraphErrorPolicy
from gateway.execution.variables import coerce_variables
from gateway.planning.nodes import Subscription
from gateway.subscriptions.errors import (
    EXPIRED,
    OVERFLOW,
    REVOKED,
    UPSTREAM,
    Ending,
    UpstreamClosed,
)
from gateway.subscriptions.resume import EVENT_ID_KEY, primary_fetch
from gateway.subscriptions.upstream import UpstreamPool, UpstreamSubscription

if TYPE_CHECKING:
    from gateway.server.pipeline import Planned

logger = logging.getLogger("gateway.subscriptions")

JsonObject = dict[str, Any]
# A shaped result and the bus id of its event (None for a result about no event).
Delivered = tuple[JsonObject, str | None]


class SubscriptionRun:
    def __init__(
        self,
        planned: Planned,
        variables: Mapping[str, Any] | None,
        *,
        client: SubgraphClient,
        pool: UpstreamPool,
        url_of: Callable[[str], str],
        subgraph_errors: SubgraphErrorPolicy,
        revocations: Revocations | None,
        buffer_size: int,
        resume_after: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.planned = planned
        self.variables = variables
        self.client = client
        self.pool = pool
        self.url_of = url_of
        self.subgraph_errors = subgraph_errors
        self.revocations = revocations
        self.buffer_size = buffer_size
        self.resume_after = resume_after
        self.clock = clock
        self.inbox: deque[JsonObject] = deque()
        self.wake = asyncio.Event()
        self.ending: Ending | None = None
        self.upstream_done = False
        self.last_event_id: str | None = resume_after
        self.upstream: UpstreamSubscription | None = None

    # Delivery, called by the upstream connection's reader: never blocks.
    def next(self, payload: JsonObject) -> None:
        if len(self.inbox) >= self.buffer_size:
            self.end_with(OVERFLOW)
            return
        self.inbox.append(payload)
        self.wake.set()

    def end(self, failure: UpstreamClosed | None) -> None:
        self.upstream_done = True
        if failure is not None:
            logger.info("upstream subscription ended: %s", failure)
            self.end_with(UPSTREAM)
        self.wake.set()

    def end_with(self, ending: Ending) -> None:
        """End the stream with this reason (the first reason given wins)."""
        if self.ending is None:
            self.ending = ending
        self.wake.set()

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
        primary = primary_fetch(schema, node.primary, resume=self.resume_after is not None)
        fetch = primary.fetch
        variables = {name: coerced[name] for name in fetch.variable_usages if name in coerced}
        if primary.after_variable is not None:
            variables[primary.after_variable] = self.resume_after
        request: JsonObject = {"query": fetch.operation, "variables": variables}
        if fetch.operation_name:
            request["operationName"] = fetch.operation_name
        try:
            self.upstream = await self.pool.subscribe(
                self.url_of(fetch.service_name), planned.forwarded, request, self
            )
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
                if self.inbox:
                    payload = self.inbox.popleft()
                    yield await self._shape(payload, primary.root_key, coerced)
                    continue
                if self.upstream_done:
                    return
                self.wake.clear()
                await self.wake.wait()
        finally:
            if self.upstream is not None:
                await self.upstream.close()

    async def _shape(
        self, payload: JsonObject, root_key: str, coerced: Mapping[str, Any]
    ) -> Delivered:
        planned = self.planned
        data = payload.get("data")
        errors = payload.get("errors")
        event_id: str | None = None
        if isinstance(data, dict):
            root = data.get(root_key)
            if isinstance(root, dict):
                raw_id = root.pop(EVENT_ID_KEY, None)
                event_id = None if raw_id is None else str(raw_id)
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
        if event_id is not None:
            self.last_event_id = event_id
        return shaped, event_id
