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
from gateway.demand import CostCache
from gateway.execution import HttpSubgraphClient, SubgraphClient, SupergraphLike
from gateway.operation import OperationCache
from gateway.planning.override_labels import NO_OVERRIDE_LABELS, OverrideLabels, RandomSource
from gateway.ratelimit import RateLimiter
from gateway.server.collapse import CollapsedQueries
from gateway.server.config import ConfigError, GatewayConfig
from gateway.server.graphiql import ASSET_PATH, graphiql_asset
from gateway.server.headers import HeaderRules, HeaderRulesClient
from gateway.server.pipeline import (
    FORWARDED_HEADERS,
    Metering,
    Pipeline,
    Planner,
    ServingState,
)
from gateway.server.schema import FederatedSchema
from gateway.server.shutdown import AnswerWhenCancelled
from gateway.server.view import GatewayView
from gateway.subscriptions.service import Subscriptions
from gateway.telemetry.instrumented_client import InstrumentedSubgraphClient
from gateway.telemetry.metrics import CacheCounts, exposition
from gateway.telemetry.readiness import SubgraphHealth
from gateway.telemetry.tracing import Tracing, otlp_tracer_provider
from gateway.usage import UsageRecorder, UsageSink

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
    usage_sink: UsageSink | None = None,
) -> Starlette:
    """`planner` replaces the planning stage (tests with hand-written plans); by default
    plans come from a `PlanCache` over `supergraph`. `watch` runs for the app's lifetime and
    may swap a new supergraph into the pipeline (hot reload, `gateway.server.reload`).
    `random_source` rolls the progressive-override `percent(N)` labels (default: `random`).
    `authenticator` replaces the one `config.auth` describes (tests with in-memory keys);
    `events` is the bus whose revocation events it follows (`switchboard dev` shares its
    in-memory bus; otherwise `auth.events_url` names a Redis Streams bus).
    `tracer_provider` records the spans (default: OTLP export when configured, else none).
    `usage_sink` receives the usage records (default: the metrics subgraph, as `usage:` says)."""
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
    metering = metering_of(config, supergraph, usage_sink)
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
        metering=metering,
        collapse=CollapsedQueries() if config.subgraphs.deduplicate_operations else None,
    )
    subscriptions = None
    if config.subscriptions.enabled:
        subscriptions = Subscriptions(
            pipeline,
            pipeline.client,
            url_of=lambda name: (
                config.override_subgraph_url.get(name) or pipeline.supergraph.graphs[name].url
            ),
            subgraph_errors=config.include_subgraph_errors.policy,
            revocations=authenticator.revocations,
            config=config.subscriptions,
        )
    view = GatewayView(
        FederatedSchema(pipeline, subscriptions),
        graphql_ide="graphiql" if config.graphiql else None,
        max_body_bytes=config.limits.http_max_request_bytes,
        csrf_prevention=not config.csrf.unsafe_disabled,
        keepalive_seconds=config.subscriptions.keepalive_ms / 1000,
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
        if metering.recorder is not None:
            metering.recorder.start()
        if subscriptions is not None:
            tasks.append(asyncio.create_task(subscriptions.sweep()))
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
            if subscriptions is not None:
                await subscriptions.close()
            for task in tasks:
                task.cancel()
            if owned_bus is not None:
                # A blocked stream read may not notice the cancellation; closing the bus's
                # connection ends it.
                await owned_bus.close()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            # Requests have finished by now (uvicorn drains them first): their records are in.
            if metering.recorder is not None:
                await metering.recorder.close()
            if metering.limiter is not None:
                await metering.limiter.close()
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
    app.state.subscriptions = subscriptions
    app.state.subgraph_client = client
    return app


def metering_of(
    config: GatewayConfig, supergraph: SupergraphLike, sink: UsageSink | None = None
) -> Metering:
    """Demand control, rate limits and usage recording, as configured."""
    demand = config.demand_control
    limits = config.rate_limits
    recorder = None
    usage = config.usage
    if usage.enabled or sink is not None:
        if sink is None:
            from gateway.usage.ingestion import MetricsIngestion

            assert usage.credentials is not None, "the usage section requires credentials"
            sink = MetricsIngestion(ingest_url(config, supergraph), usage.credentials)
        recorder = UsageRecorder(
            sink,
            buffer_size=usage.buffer_size,
            batch_size=usage.batch_size,
            flush_interval=usage.flush_interval_ms / 1000,
            max_attempts=usage.max_attempts,
            backoff=usage.retry_backoff_ms / 1000,
            shutdown_timeout=usage.shutdown_timeout_ms / 1000,
        )
    return Metering(
        report_cost=demand.enabled or limits.enabled,
        max_cost=demand.max_cost if demand.enabled else None,
        limiter=RateLimiter(limits) if limits.enabled else None,
        recorder=recorder,
    )


def ingest_url(config: GatewayConfig, supergraph: SupergraphLike) -> str:
    usage = config.usage
    if usage.ingest_url is not None:
        return usage.ingest_url
    override = config.override_subgraph_url.get(usage.subgraph)
    if override is not None:
        return override
    graph = supergraph.graphs.get(usage.subgraph)
    if graph is None:
        raise ConfigError(
            f"usage: the supergraph has no subgraph {usage.subgraph!r}; set usage.ingest_url"
        )
    return graph.url


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
    costs = None
    metered = config.demand_control.enabled or config.rate_limits.enabled or config.usage.enabled
    if metered and isinstance(supergraph, Supergraph):
        costs = CostCache(supergraph, config.demand_control.list_size, config.caches.plans)
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
        costs,
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
