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

from pydantic import ConfigDict, Field, NonNegativeInt, PositiveFloat, PositiveInt

from gateway.config import ConfigError, Section, load_settings, validate
from gateway.operation.limits import OperationLimits

__all__ = ["ConfigError", "GatewayConfig"]


class LimitsConfig(Section):
    """Apollo Router's operation limits. A limit left out is unlimited, as in Router."""

    max_depth: NonNegativeInt | None = None
    """Deepest selection nesting an operation may have (fragments count where spread)."""
    max_aliases: NonNegativeInt | None = None
    """Most aliased fields an operation may have."""
    max_root_fields: NonNegativeInt | None = None
    """Most fields an operation may select at its root."""

    @property
    def operation(self) -> OperationLimits:
        return OperationLimits(
            max_depth=self.max_depth,
            max_aliases=self.max_aliases,
            max_root_fields=self.max_root_fields,
        )


class SubgraphsConfig(Section):
    """How the gateway calls its subgraphs."""

    timeout_ms: PositiveFloat = 30_000
    """Time allowed for one fetch to any subgraph, in milliseconds."""
    timeouts_ms: dict[str, PositiveFloat] = Field(default_factory=dict)
    """Per-subgraph fetch timeouts in milliseconds, by subgraph name; overrides `timeout_ms`."""


class HeadersConfig(Section):
    """Client request headers the gateway sends on to subgraphs."""

    propagate: tuple[str, ...] = ()
    """Client request header names sent on to every subgraph (case-insensitive)."""


class OverrideLabelsConfig(Section):
    """Progressive `@override(label:)` labels."""

    enabled: frozenset[str] = frozenset()
    """Custom labels (e.g. `beta-badges`) on for every request. `percent(N)` labels are rolled
    per request unless listed here, which turns them on for every request. Router enables
    custom labels from a coprocessor or Rhai script instead."""


class CachesConfig(Section):
    """In-memory caches of parsed operations and query plans (least recently used)."""

    operations: PositiveInt = 1024
    """Parsed, validated and normalized operations kept, by document text."""
    plans: PositiveInt = 1024
    """Query plans kept, by operation hash and operation name."""


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
    caches: CachesConfig = Field(default_factory=CachesConfig)
    """Operation and plan cache sizes."""
    graphiql: bool = True
    """Serve GraphiQL to browsers that open `/graphql`."""

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
    def propagated_headers(self) -> tuple[str, ...]:
        return tuple(header.lower() for header in self.headers.propagate)

    @property
    def enabled_override_labels(self) -> frozenset[str]:
        return self.override_labels.enabled
