"""OpenTelemetry spans for the gateway: one per request, one per stage, one per subgraph fetch.

Off unless `telemetry.tracing.otlp_endpoint` is set (or a provider is handed to `create_app`,
as the tests do with an in-memory exporter). Off means no span objects at all: each stage
enters a shared `nullcontext`, so the benchmarked hot path pays a few attribute reads.

A request's span continues the caller's trace when it sends a W3C `traceparent`; each fetch's
span is injected into the subgraph request's `traceparent`, so an instrumented subgraph's spans
(`subgraphs.common.tracing`) join the same trace.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from gateway.telemetry.config import TelemetryConfig
from gateway.telemetry.logs import RequestFields

INSTRUMENTATION_NAME = "switchboard.gateway"
PROPAGATOR = TraceContextTextMapPropagator()
NOTHING: AbstractContextManager[None] = contextlib.nullcontext()
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
# The tracer of the request being answered, so stages deep in execution (shaping) can open a
# span without a tracer being passed down to them. None when tracing is off.
ACTIVE_TRACER: ContextVar[Tracer | None] = ContextVar("switchboard_tracer", default=None)


def otlp_tracer_provider(config: TelemetryConfig) -> TracerProvider | None:
    """A provider exporting to the configured OTLP/HTTP endpoint; None when tracing is off."""
    endpoint = config.tracing.otlp_endpoint
    if not endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(
        resource=Resource.create({"service.name": config.service_name}),
        sampler=ParentBased(TraceIdRatioBased(config.tracing.sample_ratio)),
    )
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


class Tracing:
    """The gateway's spans, or none when `provider` is None."""

    def __init__(self, provider: TracerProvider | None = None) -> None:
        self.provider = provider
        self.tracer: Tracer | None = (
            provider.get_tracer(INSTRUMENTATION_NAME) if provider is not None else None
        )

    @property
    def enabled(self) -> bool:
        return self.tracer is not None

    @contextlib.contextmanager
    def request(self, headers: Mapping[str, str]) -> Iterator[Span]:
        """The span of one GraphQL request, continuing the caller's `traceparent` if any."""
        assert self.tracer is not None
        parent = PROPAGATOR.extract(carrier=headers)
        token = ACTIVE_TRACER.set(self.tracer)
        try:
            with self.tracer.start_as_current_span(
                "graphql.request", context=parent, kind=SpanKind.SERVER
            ) as span:
                yield span
        finally:
            ACTIVE_TRACER.reset(token)

    @staticmethod
    def annotate(span: Span, fields: RequestFields, status: int | None) -> None:
        span.update_name(f"{fields.kind or 'graphql'} {fields.operation or 'anonymous'}")
        if fields.operation:
            span.set_attribute("graphql.operation.name", fields.operation)
        if fields.kind:
            span.set_attribute("graphql.operation.type", fields.kind)
        if fields.app:
            span.set_attribute("switchboard.app", fields.app)
        if status is not None and status >= 500:
            span.set_status(trace.StatusCode.ERROR)

    def shutdown(self) -> None:
        if self.provider is not None:
            self.provider.shutdown()


def stage(name: str) -> AbstractContextManager[Any]:
    """A span for one stage of the request being answered; nothing when tracing is off."""
    tracer = ACTIVE_TRACER.get()
    if tracer is None:
        return NOTHING
    return tracer.start_as_current_span(name)


def inject(headers: MutableMapping[str, str]) -> None:
    """Write the current span's `traceparent` (and `tracestate`) into `headers`."""
    PROPAGATOR.inject(carrier=headers)


def current_trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def trace_id_of(headers: Mapping[str, str]) -> str:
    """The W3C trace id of the request when it carries one, so logs join the caller's trace."""
    match = _TRACEPARENT.match(headers.get("traceparent", ""))
    return match.group(1) if match else uuid.uuid4().hex
