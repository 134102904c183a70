"""`GatewayConfig`: the gateway's settings, the typed model of `switchboard.yaml`.

Each top-level key is a section, one `gateway.config.Section` model each; unknown keys and
values of the wrong type are errors naming the key path (`gateway.config.errors`), and
`${env.NAME}` / `${env.NAME:-default}` are expanded in every value. `docs/configuration.md` is
generated from these models (`switchboard config reference`), `switchboard config schema`
prints their JSON Schema, and `switchboard.example.yaml` shows every section.

To add a section, see `gateway.config.section`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import ConfigDict, Field, NonNegativeInt, PositiveFloat, PositiveInt, model_validator

from gateway.auth.config import AuthConfig
from gateway.config import ConfigError, Section, load_settings, validate
from gateway.demand import DemandControlConfig
from gateway.execution.http_client import DEFAULT_MAX_RESPONSE_BYTES
from gateway.execution.redaction import SubgraphErrorPolicy
from gateway.operation.cache import DEFAULT_MAX_BYTES as OPERATIONS_MAX_BYTES
from gateway.operation.limits import (
    DEFAULT_MAX_HEIGHT,
    DEFAULT_PARSER_MAX_RECURSION,
    DEFAULT_PARSER_MAX_TOKENS,
    OperationLimits,
)
from gateway.planning.cache import DEFAULT_MAX_BYTES as PLANS_MAX_BYTES
from gateway.ratelimit import RateLimitConfig
from gateway.server.body import DEFAULT_MAX_BODY_BYTES
from gateway.server.headers import HeadersConfig
from gateway.server.http_protocol import DEFAULT_HEADER_READ_TIMEOUT_SECONDS, DEFAULT_MAX_HEAD_BYTES
from gateway.subscriptions.config import SubscriptionsConfig
from gateway.telemetry.config import TelemetryConfig
from gateway.usage import UsageConfig

# A request whose fetches each take the whole subgraph timeout still has time to answer.
SHUTDOWN_MARGIN_SECONDS = 5.0

__all__ = ["ConfigError", "GatewayConfig", "HeadersConfig"]


class LimitsConfig(Section):
    """Apollo Router's request and operation limits. Depth, aliases and root fields left out
    are unlimited, as in Router; the others have defaults, because without them one small
    request can hold the gateway's CPU or memory."""

    max_depth: NonNegativeInt | None = None
    """Deepest selection nesting an operation may have (fragments count where spread)."""
    max_aliases: NonNegativeInt | None = None
    """Most aliased fields an operation may have."""
    max_root_fields: NonNegativeInt | None = None
    """Most fields an operation may select at its root."""
    http_max_request_bytes: PositiveInt = DEFAULT_MAX_BODY_BYTES
    """Largest request body accepted; a larger one is refused with 413 before it is parsed."""
    parser_max_tokens: PositiveInt | None = DEFAULT_PARSER_MAX_TOKENS
    """Most lexical tokens an operation's text may have (Router's default, 15,000)."""
    parser_max_recursion: PositiveInt | None = DEFAULT_PARSER_MAX_RECURSION
    """Deepest nesting of selection sets, lists and input objects, fragments inlined. Router's
    default is 500; ours is lower because the parser runs out of Python stack at ~190."""
    max_height: PositiveInt | None = DEFAULT_MAX_HEIGHT
    """Most field selections an operation may have once its fragments are expanded, counted
    without expanding them (a fragment spread twice counts twice)."""

    @property
    def operation(self) -> OperationLimits:
        return OperationLimits(
            max_depth=self.max_depth,
            max_aliases=self.max_aliases,
            max_root_fields=self.max_root_fields,
            parser_max_tokens=self.parser_max_tokens,
            parser_max_recursion=self.parser_max_recursion,
            max_height=self.max_height,
        )


class CsrfConfig(Section):
    """Cross-site request forgery prevention, Apollo Router's rule: an operation runs only if
    its request is one a browser would have preflighted (docs/security.md)."""

    unsafe_disabled: bool = False
    """Run operations from simple requests too (a GET, or a POST with a form content type)."""


class SubgraphsConfig(Section):
    """How the gateway calls its subgraphs."""

    timeout_ms: PositiveFloat = 30_000
    """Time allowed for one fetch to any subgraph, in milliseconds."""
    timeouts_ms: dict[str, PositiveFloat] = Field(default_factory=dict)
    """Per-subgraph fetch timeouts in milliseconds, by subgraph name; overrides `timeout_ms`."""
    max_response_bytes: PositiveInt = DEFAULT_MAX_RESPONSE_BYTES
    """Largest subgraph answer read; a larger one is abandoned as soon as it passes the limit
    (`SUBREQUEST_RESPONSE_TOO_LARGE` at the fetch's paths, partial data for the rest)."""
    deduplicate_queries: bool = True
    """Identical subgraph queries in flight at the same moment share one request: same
    subgraph, operation, variables and headers (trace context aside), so two callers share an
    answer only when their requests, authorization included, are byte for byte the same.
    Mutations are never shared (Apollo Router's `deduplicate_query`)."""
    deduplicate_operations: bool = True
    """Identical client queries in flight at the same moment share one execution (plan run and
    shaping): same operation, variables and client headers (trace context aside), so two
    callers share a response only when their requests, authorization included, are the same.
    Each request is still admitted, rate limited, costed, traced and recorded on its own.
    Mutations are never shared. Apollo Router has no such option (docs/deviations.md)."""
    batch_fetches: bool = True
    """Entity fetches to one subgraph that run in the same step of a query's plan go as one
    request, one aliased `_entities` selection each (`switchboard plan` shows them as
    `BatchFetch`). Off: one request per fetch, as Apollo Gateway sends them."""


class OverrideLabelsConfig(Section):
    """Progressive `@override(label:)` labels."""

    enabled: frozenset[str] = frozenset()
    """Custom labels (e.g. `beta-badges`) on for every request. `percent(N)` labels are rolled
    per request unless listed here, which turns them on for every request. Router enables
    custom labels from a coprocessor or Rhai script instead."""


class CachesConfig(Section):
    """In-memory caches of parsed operations and query plans (least recently used), bounded
    both by their number of entries and by the bytes the entries hold."""

    operations: PositiveInt = 1024
    """Parsed, validated and normalized operations kept, by document text."""
    plans: PositiveInt = 1024
    """Query plans kept, by operation hash and operation name."""
    operations_max_bytes: PositiveInt = OPERATIONS_MAX_BYTES
    """Memory the cached operations may hold (their syntax trees, tokens included)."""
    plans_max_bytes: PositiveInt = PLANS_MAX_BYTES
    """Memory the cached query plans may hold."""


class SubgraphErrorsConfig(Section):
    """Which subgraphs' GraphQL errors reach clients as written. The others are redacted: the
    message replaced, only `allow_extensions_keys` kept (Apollo Router's
    `include_subgraph_errors`)."""

    all: bool = False
    """Include every subgraph's errors (`switchboard dev` does)."""
    subgraphs: dict[str, bool] = Field(default_factory=dict)
    """Per subgraph name, overriding `all` either way."""
    allow_extensions_keys: frozenset[str] = frozenset({"code"})
    """Extension keys kept in a redacted error."""

    @property
    def policy(self) -> SubgraphErrorPolicy:
        return SubgraphErrorPolicy(self.all, dict(self.subgraphs), self.allow_extensions_keys)


class ServerConfig(Section):
    """How `switchboard serve` treats connections (per worker process)."""

    header_read_timeout_ms: PositiveFloat = DEFAULT_HEADER_READ_TIMEOUT_SECONDS * 1000
    """Time a client has to send a request's line and headers, from its first byte (or the
    connection's opening); then 408 and the connection is closed (slow clients, slowloris)."""
    max_head_bytes: PositiveInt = DEFAULT_MAX_HEAD_BYTES
    """Largest request line and headers accepted; a larger head gets 431."""
    max_connections: PositiveInt | None = 1024
    """Connections and requests a worker holds at once; beyond it, requests get 503."""
    shutdown_grace_ms: PositiveFloat | None = None
    """Time requests in flight get to finish on SIGTERM; those still running then get 503.
    Never less than the longest subgraph timeout; by default that plus 5 seconds."""


class CorsConfig(Section):
    """Which browser origins may call the gateway (Router's `cors`). None by default: only
    same-origin pages (GraphiQL served by the gateway itself) can."""

    origins: tuple[str, ...] = ()
    """Origins allowed exactly, e.g. `https://studio.example.com`."""
    match_origins: tuple[str, ...] = ()
    """Regular expressions; an origin matching any of them is allowed."""
    allow_any_origin: bool = False
    """Allow every origin (`*`); cannot be combined with `allow_credentials`."""
    allow_credentials: bool = False
    """Let browsers send cookies and HTTP authentication to the gateway."""
    allow_headers: tuple[str, ...] = ("content-type", "authorization", "traceparent")
    """Request headers a cross-origin page may send."""
    expose_headers: tuple[str, ...] = ()
    """Response headers a cross-origin page may read."""
    max_age_seconds: NonNegativeInt = 600
    """How long browsers may cache a preflight answer."""

    @model_validator(mode="after")
    def _credentials_need_named_origins(self) -> CorsConfig:
        if self.allow_any_origin and self.allow_credentials:
            raise ValueError("allow_credentials cannot be combined with allow_any_origin")
        return self


class GatewayConfig(Section):
    """switchboard.yaml: the gateway's configuration."""

    model_config = ConfigDict(title="switchboard.yaml")

    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    """Operation limits, checked before planning."""
    subgraphs: SubgraphsConfig = Field(default_factory=SubgraphsConfig)
    """Subgraph fetch settings."""
    override_subgraph_url: dict[str, str] = Field(default_factory=dict)
    """Routing URLs used instead of the supergraph's, by subgraph name."""
    headers: HeadersConfig = Field(default_factory=HeadersConfig)
    """Header rules for subgraph requests."""
    override_labels: OverrideLabelsConfig = Field(default_factory=OverrideLabelsConfig)
    """Progressive override labels."""
    cors: CorsConfig = Field(default_factory=CorsConfig)
    """Cross-origin requests from browsers."""
    caches: CachesConfig = Field(default_factory=CachesConfig)
    """Operation and plan cache sizes."""
    graphiql: bool = False
    """Serve GraphiQL to browsers that open `/graphql` (`switchboard dev` does)."""
    introspection: bool = False
    """Answer `__schema` and `__type`, and suggest field names in validation errors. Off
    unless turned on, as in Apollo Router; `switchboard dev` turns it on."""
    csrf: CsrfConfig = Field(default_factory=CsrfConfig)
    """CSRF prevention."""
    server: ServerConfig = Field(default_factory=ServerConfig)
    """Connections: header deadline, connection limit, graceful shutdown."""
    include_subgraph_errors: SubgraphErrorsConfig = Field(default_factory=SubgraphErrorsConfig)
    """Subgraph errors passed to clients as written; by default they are redacted."""
    auth: AuthConfig = Field(default_factory=AuthConfig)
    """Access tokens and authorization (gateway/auth)."""
    telemetry: TelemetryConfig = Field(default_factory=TelemetryConfig)
    """Traces, metrics, logs and readiness."""
    demand_control: DemandControlConfig = Field(default_factory=DemandControlConfig)
    """Operation cost from `@cost`/`@listSize`, and the most an operation may cost."""
    rate_limits: RateLimitConfig = Field(default_factory=RateLimitConfig)
    """Requests and cost points per app and per installation."""
    usage: UsageConfig = Field(default_factory=UsageConfig)
    """Usage records sent to the metrics subgraph."""
    subscriptions: SubscriptionsConfig = Field(default_factory=SubscriptionsConfig)
    """Subscriptions: buffers, keep-alives, checks of open streams."""

    @classmethod
    def load(
        cls, path: str | Path | None, environment: Mapping[str, str] | None = None
    ) -> GatewayConfig:
        """The configuration in the file at `path`; the defaults when `path` is None."""
        if path is None:
            return cls()
        return validate(cls, load_settings(path, environment), str(path))

    # What the stages read, in the units they use.

    @property
    def operation_limits(self) -> OperationLimits:
        return self.limits.operation

    @property
    def subgraph_timeout_seconds(self) -> float:
        return self.subgraphs.timeout_ms / 1000

    @property
    def subgraph_timeouts_seconds(self) -> Mapping[str, float]:
        return {name: value / 1000 for name, value in self.subgraphs.timeouts_ms.items()}

    @property
    def shutdown_grace_seconds(self) -> float:
        longest = max([self.subgraph_timeout_seconds, *self.subgraph_timeouts_seconds.values()])
        configured = self.server.shutdown_grace_ms
        if configured is None:
            return longest + SHUTDOWN_MARGIN_SECONDS
        return max(configured / 1000, longest)

    @property
    def propagated_headers(self) -> tuple[str, ...]:
        return tuple(header.lower() for header in self.headers.propagate)

    @property
    def enabled_override_labels(self) -> frozenset[str]:
        return self.override_labels.enabled
