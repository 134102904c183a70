"""The `telemetry:` section of `switchboard.yaml`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PositiveFloat

from gateway.config import Section

LogLevel = Literal["debug", "info", "warning", "error"]


class TracingConfig(Section):
    """OpenTelemetry traces. Off unless an OTLP endpoint is set."""

    otlp_endpoint: str | None = None
    """OTLP/HTTP collector base URL (e.g. `http://otel-collector:4318`); spans are sent to its
    `/v1/traces`. Unset: no spans are recorded and incoming `traceparent` headers are passed
    on to subgraphs unchanged."""
    sample_ratio: Annotated[float, Field(ge=0, le=1)] = 1.0
    """Share of new traces recorded (parent-based: a sampled caller's trace is always kept)."""


class LoggingConfig(Section):
    """Log records on standard error."""

    format: Literal["json", "console"] = "json"
    """`json`: one JSON object per line, for log collectors; `console`: readable lines."""
    level: LogLevel = "info"
    """Least severe level written; `switchboard serve --log-level` overrides it."""


class ReadinessConfig(Section):
    """What `/ready` requires."""

    window_seconds: PositiveFloat = 10
    """A subgraph that answered (any fetch) within this many seconds counts as up; others are
    probed with `{ __typename }` before `/ready` answers."""
    probe_timeout_seconds: PositiveFloat = 2
    """How long a readiness probe waits for a subgraph."""


class TelemetryConfig(Section):
    """Traces, metrics, logs and readiness."""

    service_name: str = "switchboard-gateway"
    """`service.name` of the gateway's spans."""
    tracing: TracingConfig = Field(default_factory=TracingConfig)
    """Trace export."""
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    """Log format and level."""
    readiness: ReadinessConfig = Field(default_factory=ReadinessConfig)
    """Readiness checks."""
    metrics: bool = True
    """Serve Prometheus metrics at `/metrics`."""
