"""The `usage:` section of `switchboard.yaml`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from gateway.config import Section

# The metrics subgraph takes at most this many records per call.
MAX_BATCH = 1000


class IngestionCredentials(Section):
    """The OAuth 2 client the gateway signs in as to write usage (client credentials grant):
    the metrics subgraph accepts records only with a token carrying `metrics:ingest`."""

    token_url: str
    """The issuer's token endpoint, e.g. `http://127.0.0.1:4102/oauth/token`."""
    client_id: str = "switchboard-resource-server"
    """The gateway's client id at the issuer."""
    client_secret: str
    """Its secret; give it from the environment: `${env.SWITCHBOARD_RESOURCE_SERVER_SECRET}`."""
    scope: str = "metrics:ingest"
    """Scope asked for."""


class UsageConfig(Section):
    """Usage records: one per operation, batched off the request path to the metrics
    subgraph's `recordUsage` (docs/design/metering.md)."""

    enabled: bool = False
    """Record usage."""
    credentials: IngestionCredentials | None = None
    """How the gateway authenticates to the ingestion; required when enabled."""
    ingest_url: str | None = None
    """Where records are sent. Unset: the routing URL of the supergraph's `metrics` subgraph
    (after `override_subgraph_url`)."""
    subgraph: str = "metrics"
    """The subgraph whose routing URL is the default `ingest_url`."""
    buffer_size: PositiveInt = 10_000
    """Records held while waiting to be sent; when it is full, new records are dropped and
    counted (`switchboard_usage_records{result="dropped_buffer_full"}`)."""
    batch_size: Annotated[int, Field(ge=1, le=MAX_BATCH)] = 500
    """Records per call to the ingestion (at most 1,000)."""
    flush_interval_ms: PositiveFloat = 1000
    """A batch is sent when it is full or this long after its first record."""
    max_attempts: PositiveInt = 5
    """Tries per batch while the ingestion fails; then the batch is dropped and counted."""
    retry_backoff_ms: PositiveFloat = 200
    """Wait before the second try, doubled before each next one (capped at 10 s)."""
    shutdown_timeout_ms: PositiveFloat = 5000
    """On shutdown, time given to send what is buffered; what is left then is dropped and
    counted."""

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> UsageConfig:
        if self.enabled and self.credentials is None:
            raise ValueError("usage recording needs `credentials` to authenticate its ingestion")
        return self
