"""`GatewayConfig`: the gateway's settings, from `switchboard.yaml` (DESIGN §6).

    limits:                      # Apollo Router's operation limits; absent = unlimited
      max_depth: 15
      max_aliases: 30
      max_root_fields: 20
    subgraphs:
      timeout_ms: 30000          # per fetch, every subgraph
      timeouts_ms: {metrics: 5000}
    override_subgraph_url:       # routing URLs to use instead of the supergraph's
      apps: http://apps:4101/graphql
    headers:
      propagate: [x-request-id]  # client request headers sent on to every subgraph
    override_labels:
      enabled: [beta-badges]     # custom @override labels on for every request
    graphiql: true

Sections other stages own (auth, telemetry, ...) are ignored here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs; types-PyYAML is not installed

from gateway.operation.limits import OperationLimits


class ConfigError(Exception):
    """The configuration file cannot be read or holds a value of the wrong kind."""


@dataclass(frozen=True)
class GatewayConfig:
    limits: OperationLimits = field(default_factory=OperationLimits)
    subgraph_timeout_seconds: float = 30.0
    subgraph_timeouts_seconds: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({})
    )
    subgraph_urls: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    propagated_headers: tuple[str, ...] = ()
    # Custom progressive-override labels (`@override(label: "beta-badges")`) that are on;
    # Router enables them from a coprocessor or Rhai. `percent(N)` labels are rolled per
    # request whatever this says, unless listed here, which turns them on for every request.
    enabled_override_labels: frozenset[str] = frozenset()
    graphiql: bool = True
    operation_cache_size: int = 1024
    plan_cache_size: int = 1024

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> GatewayConfig:
        limits = _section(settings, "limits")
        subgraphs = _section(settings, "subgraphs")
        per_service = _section(subgraphs, "timeouts_ms")
        urls = _section(settings, "override_subgraph_url")
        propagate = _section(settings, "headers").get("propagate") or []
        if not isinstance(propagate, list) or not all(isinstance(h, str) for h in propagate):
            raise ConfigError("`headers.propagate` must be a list of header names")
        labels = _section(settings, "override_labels").get("enabled") or []
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            raise ConfigError("`override_labels.enabled` must be a list of label names")
        return cls(
            limits=OperationLimits(
                max_depth=_optional_int(limits, "max_depth"),
                max_aliases=_optional_int(limits, "max_aliases"),
                max_root_fields=_optional_int(limits, "max_root_fields"),
            ),
            subgraph_timeout_seconds=_milliseconds(subgraphs.get("timeout_ms", 30_000)),
            subgraph_timeouts_seconds=MappingProxyType(
                {str(name): _milliseconds(value) for name, value in per_service.items()}
            ),
            subgraph_urls=MappingProxyType({str(name): str(url) for name, url in urls.items()}),
            propagated_headers=tuple(header.lower() for header in propagate),
            enabled_override_labels=frozenset(labels),
            graphiql=bool(settings.get("graphiql", True)),
        )

    @classmethod
    def load(cls, path: str | Path | None) -> GatewayConfig:
        if path is None:
            return cls()
        try:
            settings = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise ConfigError(f"cannot read {path}: {error}") from None
        if not isinstance(settings, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
        return cls.from_mapping(settings)


def _section(settings: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = settings.get(name) or {}
    if not isinstance(section, dict):
        raise ConfigError(f"`{name}` must be a mapping")
    return section


def _optional_int(section: Mapping[str, Any], name: str) -> int | None:
    value = section.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"`{name}` must be a non-negative integer")
    return value


def _milliseconds(value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise ConfigError("timeouts are positive numbers of milliseconds")
    return value / 1000
