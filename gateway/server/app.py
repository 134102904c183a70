"""`create_app`: the gateway's Starlette application (docs/architecture.md §2, transport).

/graphql          POST, GET (queries), GraphiQL for browsers, websockets — Strawberry's view
                  over the federated pipeline
/graphiql/<name>  GraphiQL's installed browser assets (`gateway.server.graphiql`)
/health           200 while the process serves (the supergraph is loaded by construction)
/ready            200 when every subgraph answered recently or answers a probe, else 503
/metrics          Prometheus metrics (`gateway.telemetry.metrics`)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from opentelemetry.sdk.trace import TracerProvider
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from gateway.auth import (
    Authenticator,
    Authorizer,
    EventSource,
    Revocations,
    SchemaViews,
    load_policy_hook,
)
from gateway.execution import HttpSubgraphClient, SubgraphClient, SupergraphLike
from gateway.operation import OperationCache
from gateway.planning.override_labels import NO_OVERRIDE_LABELS, OverrideLabels, RandomSource
from gateway.server.config import GatewayConfig
from gateway.server.graphiql import ASSET_PATH, graphiql_asset
from gateway.server.headers import HeaderRules, HeaderRulesClient
from gateway.server.pipeline import FORWARDED_HEADERS, Pipeline, Planner, ServingState
from gateway.server.schema import FederatedSchema
from gateway.server.shutdown import AnswerWhenCancelled
from gateway.server.view import GatewayView
from gateway.telemetry.instrumented_client import InstrumentedSubgraphClient
from gateway.telemetry.metrics import CacheCounts, exposition
from gateway.telemetry.readiness import SubgraphHealth
from gateway.telemetry.tracing import Tracing, otlp_tracer_provider

if TYPE_CHECKING:
    from gateway.planning import PlanCache

logger = logging.getLogger("gateway.server")

# A task run for the app's lifetime, given the pipeline to swap new supergraphs into.
Watch = Callable[[Pipeline, GatewayConfig], Coroutine[Any, Any, None]]
# How often the caches' hit counts are carried into the metrics between scrapes (with
# `--workers`, another worker may answer the scrape).
CACHE_COUNT_SECONDS = 5.0


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
    tracer_provider: TracerProvider | None = None,
) -> Starlette:
    """`planner` replaces the planning stage (tests with hand-written plans); by default
    plans come from a `PlanCache` over `supergraph`. `watch` runs for the app's lifetime and
    may swap a new supergraph into the pipeline (hot reload, `gateway.server.reload`).
    `random_source` rolls the progressive-override `percent(N)` labels (default: `random`).
    `authenticator` replaces the one `config.auth` describes (tests with in-memory keys);
    `events` is the bus whose revocation events it follows (`switchboard dev` shares its
    in-memory bus; otherwise `auth.events_url` names a Redis Streams bus).
    `tracer_provider` records the spans (default: OTLP export when configured, else none)."""
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
        deduplicate_queries=config.subgraphs.deduplicate_queries,
    )
    subgraph_client: SubgraphClient = client
    rules = HeaderRules.of(config.headers)
    if rules is not None:
        subgraph_client = HeaderRulesClient(client, rules)
    tracing = Tracing(tracer_provider or otlp_tracer_provider(config.telemetry))
    readiness = config.telemetry.readiness
    health = SubgraphHealth(readiness.window_seconds, readiness.probe_timeout_seconds)
    pipeline = Pipeline(
        serving_state(supergraph, config, planner),
        InstrumentedSubgraphClient(subgraph_client, tracing, health),
        forwarded_headers=(*FORWARDED_HEADERS, *config.propagated_headers),
        random_source=random_source,
        subgraph_errors=config.include_subgraph_errors.policy,
        authenticator=authenticator,
        policy_hook=load_policy_hook(config.auth.policy_hook),
        reject_unauthorized=config.auth.reject_unauthorized,
        tracing=tracing,
    )
    view = GatewayView(
        FederatedSchema(pipeline),
        graphql_ide="graphiql" if config.graphiql else None,
        max_body_bytes=config.limits.http_max_request_bytes,
        csrf_prevention=not config.csrf.unsafe_disabled,
    )
    cache_counts = CacheCounts()

    def count_caches() -> None:
        state = pipeline.state
        cache_counts.sync({"operations": state.operations, "plans": state.plan_cache})

    async def alive(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def ready(_: Request) -> JSONResponse:
        answering = await health.check(pipeline.supergraph.graphs, client)
        down = [name for name, up in answering.items() if not up]
        body = {
            "status": "unavailable" if down else "ready",
            "subgraphs": {name: "up" if up else "down" for name, up in answering.items()},
        }
        return JSONResponse(body, status_code=503 if down else 200)

    async def metrics(_: Request) -> Response:
        count_caches()
        body, content_type = exposition()
        return Response(body, media_type=content_type)

    async def keep_counting_caches() -> None:
        while True:
            await asyncio.sleep(CACHE_COUNT_SECONDS)
            count_caches()

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(keep_counting_caches())]
        if watch is not None:
            tasks.append(asyncio.create_task(watch(pipeline, config)))
        if events is not None:
            tasks.append(asyncio.create_task(authenticator.revocations.follow(events)))
        logger.info(
            "gateway started",
            extra={
                "subgraphs": sorted(pipeline.supergraph.graphs),
                "tracing": tracing.enabled,
            },
        )
        try:
            yield
        finally:
            logger.info("gateway stopping")
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
            tracing.shutdown()
            logger.info("gateway stopped")

    routes: list[Route | WebSocketRoute] = [
        Route("/health", alive, methods=["GET"]),
        Route("/ready", ready, methods=["GET"]),
        Route("/graphql", view),
        WebSocketRoute("/graphql", view),
    ]
    if config.telemetry.metrics:
        routes.append(Route("/metrics", metrics, methods=["GET"]))
    if config.graphiql:
        routes.append(Route(ASSET_PATH, graphiql_asset, methods=["GET"]))
    app = Starlette(
        routes=routes,
        # Outermost: a request cancelled at the end of the shutdown grace period gets a 503.
        middleware=[Middleware(AnswerWhenCancelled), *cors_middleware(config)],
        lifespan=lifespan,
    )
    app.state.pipeline = pipeline
    app.state.subgraph_client = client
    return app


def cors_middleware(config: GatewayConfig) -> list[Middleware]:
    cors = config.cors
    if not (cors.origins or cors.match_origins or cors.allow_any_origin):
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"] if cors.allow_any_origin else list(cors.origins),
            allow_origin_regex="|".join(f"(?:{pattern})" for pattern in cors.match_origins) or None,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=list(cors.allow_headers),
            allow_credentials=cors.allow_credentials,
            expose_headers=list(cors.expose_headers),
            max_age=cors.max_age_seconds,
        )
    ]


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
    plan_cache = None
    if planner is None:
        plan_cache = default_plan_cache(supergraph, config)
        planner = plan_cache.get
    return ServingState(
        supergraph,
        OperationCache(
            config.caches.operations,
            config.operation_limits,
            config.caches.operations_max_bytes,
            introspection=config.introspection,
        ),
        planner,
        override_labels(supergraph, config),
        authorizer,
        schema_views,
        plan_cache,
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


def default_plan_cache(supergraph: SupergraphLike, config: GatewayConfig) -> PlanCache:
    from gateway.planning import PlanCache
    from gateway.supergraph import Supergraph

    if not isinstance(supergraph, Supergraph):
        raise TypeError("planning needs a gateway.supergraph.Supergraph; pass `planner=`")
    return PlanCache(
        supergraph,
        config.caches.plans,
        config.caches.plans_max_bytes,
        batch_fetches=config.subgraphs.batch_fetches,
    )
