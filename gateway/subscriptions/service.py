"""`Subscriptions`: the stage's entry point, and the registry of open streams.

The transport (`FederatedSchema.stream`) hands it an operation the client wants to subscribe
with; it answers results as long as the stream lives. It keeps every open `SubscriptionRun` so
that one sweeper task, not a timer per subscriber, ends the streams whose token expired or was
revoked, or whose field a reloaded supergraph dropped; shutdown ends them all with a reason.
The open-subscriptions gauge counts them. Identical subscriptions share one upstream operation
(`shared.py`); each still has its own run, so expiry, revocation, reloads and shutdown end
them one by one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import Any

from gateway.auth import Revocations
from gateway.execution import SubgraphClient
from gateway.execution.redaction import SubgraphErrorPolicy
from gateway.server.pipeline import Outcome, Pipeline, Planned
from gateway.subscriptions.config import SubscriptionsConfig
from gateway.subscriptions.direct import DirectDelivery
from gateway.subscriptions.errors import FIELD_GONE, SHUTDOWN
from gateway.subscriptions.run import Delivered, SubscriptionRun
from gateway.subscriptions.shared import SharedStreams
from gateway.subscriptions.upstream import UpstreamPool
from gateway.telemetry.metrics import OPEN_SUBSCRIPTIONS

logger = logging.getLogger("gateway.subscriptions")

# Every `Subscriptions` of this process, for the server's shutdown (`shut_down_all`).
_INSTANCES: weakref.WeakSet[Subscriptions] = weakref.WeakSet()


def shut_down_all() -> int:
    """End every open stream of the process with `SHUTTING_DOWN`; how many there were."""
    return sum(subscriptions.shut_down() for subscriptions in list(_INSTANCES))


class Subscriptions:
    def __init__(
        self,
        pipeline: Pipeline,
        client: SubgraphClient,
        *,
        url_of: Callable[[str], str],
        subgraph_errors: SubgraphErrorPolicy,
        revocations: Revocations | None,
        config: SubscriptionsConfig | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.client = client
        self.url_of = url_of
        self.subgraph_errors = subgraph_errors
        self.revocations = revocations
        self.config = config or SubscriptionsConfig()
        self.pool = UpstreamPool()
        self.streams = SharedStreams()
        self.runs: set[SubscriptionRun] = set()
        self.stopping = False
        _INSTANCES.add(self)

    async def plan(
        self,
        query: str | None,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        headers: Mapping[str, str],
    ) -> Planned | Outcome:
        return await self.pipeline.plan_subscription(query, variables, operation_name, headers)

    async def stream(
        self,
        planned: Planned,
        variables: Mapping[str, Any] | None,
        resume_after: str | None = None,
        direct: DirectDelivery | None = None,
    ) -> AsyncGenerator[Delivered, None]:
        """The shaped results of one subscription, each with its event id; with `direct`,
        its events are written to the client's connection and only its last result, if it
        ends early, is answered here (or every result from the first write refused on)."""
        run = SubscriptionRun(
            planned,
            variables,
            client=self.client,
            pool=self.pool,
            streams=self.streams,
            url_of=self.url_of,
            subgraph_errors=self.subgraph_errors,
            revocations=self.revocations,
            buffer_size=self.config.buffer_events,
            resume_after=resume_after,
            direct=direct,
        )
        if self.stopping:
            run.end_with(SHUTDOWN)
        self.runs.add(run)
        OPEN_SUBSCRIPTIONS.inc()
        try:
            # Closing this generator closes the run's at once, and so its upstream operation.
            async with contextlib.aclosing(run.results()) as results:
                async for delivered in results:
                    yield delivered
        finally:
            self.runs.discard(run)
            OPEN_SUBSCRIPTIONS.dec()

    def check(self) -> None:
        """End the streams that may not go on (the sweeper calls this every interval)."""
        api_schema = self.pipeline.supergraph.api_schema
        subscription_type = api_schema.subscription_type
        fields = subscription_type.fields if subscription_type is not None else {}
        for run in list(self.runs):
            ending = run.still_valid()
            # After a reload a stream goes on with the plan it started with, as long as the
            # new supergraph still has its field.
            reloaded = run.planned.state is not self.pipeline.state
            if ending is None and reloaded and run.field_name not in fields:
                ending = FIELD_GONE
            if ending is not None:
                run.end_with(ending)

    async def sweep(self) -> None:
        """Run `check` for the app's lifetime."""
        interval = self.config.check_interval_ms / 1000
        while True:
            await asyncio.sleep(interval)
            try:
                self.check()
            except Exception:
                logger.exception("checking open subscriptions failed")

    def shut_down(self) -> int:
        """End every open stream with `SHUTTING_DOWN`; new ones end at once. Returns how
        many were open."""
        self.stopping = True
        for run in list(self.runs):
            run.end_with(SHUTDOWN)
        return len(self.runs)

    async def close(self) -> None:
        self.shut_down()
        await self.pool.close()
