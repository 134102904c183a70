"""`create_app`: the gateway's Starlette application (DESIGN §2, transport).

/graphql   POST, GET (queries), GraphiQL for browsers, websockets — Strawberry's view over
           the federated pipeline
/health    200 once the supergraph is loaded (it is, by construction)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, Protocol

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from gateway.auth import (
    Authenticator,
    Authorizer,
    EventSource,
    Revocations,
    SchemaViews,
    load_policy_hook,
)
from gateway.execution import HttpSubgraphClient, SupergraphLike
from gateway.operation import OperationCache
from gateway.planning.override_labels import NO_OVERRIDE_LABELS, OverrideLabels, RandomSource
from gateway.server.config import GatewayConfig
from gateway.server.pipeline import FORWARDED_HEADERS, Pipeline, Planner, ServingState
from gateway.server.schema import FederatedSchema
from gateway.server.shutdown import AnswerWhenCancelled
from gateway.server.view import GatewayView

# A task run for the app's lifetime, given the pipeline to swap new supergraphs into.
Watch = Callable[[Pipeline, GatewayConfig], Coroutine[Any, Any, None]]


def create_app(
    supergraph: SupergraphLike,
    *,
    config: GatewayConfig | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    planner: Planner | None = None,
    watch: Watch | None = None,
    random_source: RandomSource | None = None,
    authenticator: Authenticator | None = None,
    events: EventSource | None = None,
) -> Starlette:
    """`planner` replaces the planning stage (tests with hand-written plans); by default
    plans come from a `PlanCache` over `supergraph`. `watch` runs for the app's lifetime and
    may swap a new supergraph into the pipeline (hot reload, `gateway.server.reload`).
    `random_source` rolls the progressive-override `percent(N)` labels (default: `random`).
    `authenticator` replaces the one `config.auth` describes (tests with in-memory keys);
    `events` is the bus whose revocation events it follows (`switchboard dev` shares its
    in-memory bus; otherwise `auth.events_url` names a Redis Streams bus)."""
    config = config or GatewayConfig()
    if authenticator is None:
        authenticator = Authenticator(config.auth.verifier(), Revocations())
    owned_bus = None
    if events is None and config.auth.events_url is not None:
        events = owned_bus = redis_events(config.auth.events_url, config.auth.events_stream)
    client = HttpSubgraphClient(
        transport=transport,
        timeout_seconds=config.subgraph_timeout_seconds,
        timeouts_by_service=config.subgraph_timeouts_seconds,
        url_overrides=config.override_subgraph_url,
        max_response_bytes=config.subgraphs.max_response_bytes,
    )
    pipeline = Pipeline(
        serving_state(supergraph, config, planner),
        client,
        forwarded_headers=(*FORWARDED_HEADERS, *config.propagated_headers),
        random_source=random_source,
        subgraph_errors=config.include_subgraph_errors.policy,
        authenticator=authenticator,
        policy_hook=load_policy_hook(config.auth.policy_hook),
        reject_unauthorized=config.auth.reject_unauthorized,
    )
    view = GatewayView(
        FederatedSchema(pipeline),
        graphql_ide="graphiql" if config.graphiql else None,
        max_body_bytes=config.limits.http_max_request_bytes,
        csrf_prevention=not config.csrf.unsafe_disabled,
    )

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        tasks = []
        if watch is not None:
            tasks.append(asyncio.create_task(watch(pipeline, config)))
        if events is not None:
            tasks.append(asyncio.create_task(authenticator.revocations.follow(events)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            if owned_bus is not None:
                # A blocked stream read may not notice the cancellation; closing the bus's
                # connection ends it.
                await owned_bus.close()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await client.aclose()

    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/graphql", view),
            WebSocketRoute("/graphql", view),
        ],
        # Outermost: a request cancelled at the end of the shutdown grace period gets a 503.
        middleware=[Middleware(AnswerWhenCancelled)],
        lifespan=lifespan,
    )
    app.state.pipeline = pipeline
    app.state.subgraph_client = client
    return app


def serving_state(
    supergraph: SupergraphLike, config: GatewayConfig, planner: Planner | None = None
) -> ServingState:
    """Everything a request reads, built now: the first request should not pay for the API
    schema (seconds on a large supergraph), nor a reload's first request stall on it."""
    from gateway.supergraph import Supergraph

    authorizer = schema_views = None
    if isinstance(supergraph, Supergraph):
        authorizer = Authorizer(
            supergraph, load_policy_hook(config.auth.policy_hook), config.caches.plans
        )
        schema_views = SchemaViews(supergraph.api_schema, supergraph.types)
    return ServingState(
        supergraph,
        OperationCache(
            config.caches.operations,
            config.operation_limits,
            config.caches.operations_max_bytes,
            introspection=config.introspection,
        ),
        planner or default_planner(supergraph, config),
        override_labels(supergraph, config),
        authorizer,
        schema_views,
    )


class ClosableEvents(EventSource, Protocol):
    async def close(self) -> None: ...


def redis_events(url: str, stream: str) -> ClosableEvents:
    """The platform's Redis Streams bus, read for revocation events."""
    from subgraphs.common.redis_bus import RedisEventBus

    bus: ClosableEvents = RedisEventBus.from_url(url, stream=stream, block_ms=500)
    return bus


def override_labels(supergraph: SupergraphLike, config: GatewayConfig) -> OverrideLabels:
    """The labels each request rolls or has on, from the supergraph and `override_labels:`."""
    from gateway.supergraph import Supergraph

    if not isinstance(supergraph, Supergraph):
        return NO_OVERRIDE_LABELS
    return OverrideLabels.of(supergraph, config.enabled_override_labels)


def default_planner(supergraph: SupergraphLike, config: GatewayConfig) -> Planner:
    from gateway.planning import PlanCache
    from gateway.supergraph import Supergraph

    if not isinstance(supergraph, Supergraph):
        raise TypeError("planning needs a gateway.supergraph.Supergraph; pass `planner=`")
    return PlanCache(supergraph, config.caches.plans, config.caches.plans_max_bytes).get
