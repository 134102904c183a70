"""Progressive-override labels (`@override(label:)`, `join__field(overrideLabel:)`).

A labelled field is resolved by the overriding subgraph while its label is on and by the
subgraph it overrides while it is off. Which labels are on is decided per request (Apollo
Router rolls `percent(N)` labels; custom labels come from configuration), so it is an input of
planning: the planner plans over a *view* of the supergraph in which exactly those labels are
on. The parsed model has every label off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from gateway.supergraph.model import CompositeType, Field, NamedType

PERCENT_LABEL = re.compile(r"percent\((\d+(?:\.\d+)?)\)")


def label_percent(label: str) -> float | None:
    """The N of a `percent(N)` label; None for a custom label."""
    match = PERCENT_LABEL.fullmatch(label)
    return float(match.group(1)) if match is not None else None


def labels_in(types: Mapping[str, NamedType]) -> frozenset[str]:
    return frozenset(
        presence.override_label
        for named in types.values()
        if isinstance(named, CompositeType)
        for field in named.fields.values()
        for presence in field.graphs.values()
        if presence.override_label is not None
    )


def with_labels(types: Mapping[str, NamedType], enabled: frozenset[str]) -> Mapping[str, NamedType]:
    """`types` with exactly the `enabled` labels on; types without labelled fields are shared."""
    changed: dict[str, NamedType] = dict(types)
    for name, named in types.items():
        if isinstance(named, CompositeType) and any(map(_labelled, named.fields.values())):
            fields = {
                field_name: _with_labels(field, enabled) if _labelled(field) else field
                for field_name, field in named.fields.items()
            }
            changed[name] = replace(named, fields=MappingProxyType(fields))
    return MappingProxyType(changed)


def _labelled(field: Field) -> bool:
    return any(presence.override_label is not None for presence in field.graphs.values())


def _with_labels(field: Field, enabled: frozenset[str]) -> Field:
    graphs = {
        graph: presence
        if presence.override_label is None
        else replace(presence, override_label_enabled=presence.override_label in enabled)
        for graph, presence in field.graphs.items()
    }
    return replace(field, graphs=MappingProxyType(graphs))
