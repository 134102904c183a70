"""Traces from a subgraph: a server span per HTTP request, a span per SQL statement.

Standard OpenTelemetry environment: with `OTEL_EXPORTER_OTLP_ENDPOINT` set (an OTLP/HTTP
collector), `python -m subgraphs.<name>` instruments its Starlette app and its SQLAlchemy
engine and exports the spans there, named by `OTEL_SERVICE_NAME` (default
`switchboard-<subgraph>`). The gateway sends a `traceparent` with each fetch, so these spans
join the gateway's trace: one trace from the client's request to the SQL.
"""

from __future__ import annotations

import os

from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.instrumentation.starlette import StarletteInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from starlette.applications import Starlette

from subgraphs.common.database import Database


def provider_from_environment(subgraph: str) -> TracerProvider | None:
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    service = os.environ.get("OTEL_SERVICE_NAME") or f"switchboard-{subgraph}"
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def instrument(app: Starlette, database: Database, provider: TracerProvider) -> None:
    """Spans for `app`'s requests (continuing an incoming `traceparent`) and `database`'s
    statements, recorded by `provider`."""
    StarletteInstrumentor.instrument_app(app, tracer_provider=provider)
    # The instrumentation declares SQLAlchemy < 2.1 and would silently do nothing on ours;
    # the engine events it hooks are unchanged in 2.1 (tests/subgraphs/test_tracing.py).
    SQLAlchemyInstrumentor().instrument(
        engine=database.engine.sync_engine, tracer_provider=provider, skip_dep_check=True
    )
