"""Header rules: which client request headers each subgraph receives (Router's `headers`).

    headers:
      all:                       # every subgraph, first
        request:
          - propagate: {named: x-tenant}
          - propagate: {named: x-client-id, rename: x-app-client, default: unknown}
          - propagate: {matching: "^x-feature-.*"}
          - insert: {name: x-gateway, value: switchboard}
      subgraphs:
        metrics:                 # then this subgraph's own rules
          request:
            - remove: {named: x-tenant}

Rules run in order over the headers being built for one subgraph fetch: `propagate` copies
from the client's request, `insert` sets a fixed value, `remove` drops what earlier rules
added. Headers that describe the connection or the body (`host`, `content-length`, ...) are
never propagated; the gateway sets those itself. The rules run in `HeaderRulesClient`, a
`SubgraphClient` wrapper, so with no rules configured a fetch pays nothing for them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Self

from pydantic import Field, model_validator

from gateway.config import Section
from gateway.execution.client import GraphLike, SubgraphClient, SubgraphRequest, SubgraphResponse
from gateway.telemetry.logs import REQUEST

# Headers about the client's connection or body, which must not reach a subgraph as they were.
RESERVED = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "content-encoding",
        "accept",
        "accept-encoding",
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class HeaderSelector(Section):
    """One header `named`, or all those `matching` a regular expression."""

    named: str | None = None
    """The header's name (case-insensitive)."""
    matching: str | None = None
    """A regular expression; every header whose name matches is selected."""

    @model_validator(mode="after")
    def _one_selector(self) -> Self:
        if (self.named is None) == (self.matching is None):
            raise ValueError("give exactly one of `named` or `matching`")
        if self.matching is not None:
            re.compile(self.matching)
        return self


class PropagateRule(HeaderSelector):
    """Copy client request headers: one `named` (optionally renamed, with a default) or all
    those `matching` a regular expression."""

    rename: str | None = None
    """Send the `named` header under this name instead."""
    default: str | None = None
    """Value sent when the client did not send the `named` header."""

    @model_validator(mode="after")
    def _renames_one(self) -> Self:
        if self.matching is not None and (self.rename or self.default):
            raise ValueError("`rename` and `default` go with `named`, not `matching`")
        return self


class InsertRule(Section):
    """Send a header with a fixed value."""

    name: str
    """The header's name."""
    value: str
    """Its value (may be `${env.NAME}`)."""


class RemoveRule(HeaderSelector):
    """Drop headers that earlier rules added: one `named` or all `matching`."""


class HeaderRule(Section):
    """One rule: exactly one of `propagate`, `insert` or `remove`."""

    propagate: PropagateRule | None = None
    """Copy from the client's request."""
    insert: InsertRule | None = None
    """Set a fixed value."""
    remove: RemoveRule | None = None
    """Drop what earlier rules added."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if sum(rule is not None for rule in (self.propagate, self.insert, self.remove)) != 1:
            raise ValueError("each rule is exactly one of `propagate`, `insert` or `remove`")
        return self


class HeaderRuleSet(Section):
    """Rules for subgraph requests."""

    request: tuple[HeaderRule, ...] = ()
    """Applied in order to each subgraph request."""


class HeadersConfig(Section):
    """Client request headers the gateway sends on to subgraphs."""

    propagate: tuple[str, ...] = ()
    """Client request header names sent on to every subgraph (case-insensitive); short for
    one `propagate: {named: ...}` rule each in `all`."""
    all: HeaderRuleSet = Field(default_factory=HeaderRuleSet)
    """Rules for every subgraph, applied first."""
    subgraphs: dict[str, HeaderRuleSet] = Field(default_factory=dict)
    """Rules for one subgraph each, by name, applied after `all`."""


@dataclasses.dataclass(frozen=True)
class HeaderRules:
    """The configured rules, compiled; `for_subgraph` builds one fetch's headers."""

    shared: tuple[HeaderRule, ...]
    by_subgraph: Mapping[str, tuple[HeaderRule, ...]]

    @classmethod
    def of(cls, config: HeadersConfig) -> HeaderRules | None:
        """None when there are no rules (the `propagate` shorthand is served elsewhere)."""
        if not config.all.request and not any(rules.request for rules in config.subgraphs.values()):
            return None
        return cls(
            config.all.request,
            {name: rules.request for name, rules in config.subgraphs.items()},
        )

    def for_subgraph(self, name: str, client: Mapping[str, str]) -> dict[str, str]:
        headers: dict[str, str] = {}
        for rule in (*self.shared, *self.by_subgraph.get(name, ())):
            apply(rule, client, headers)
        return headers


def apply(rule: HeaderRule, client: Mapping[str, str], headers: dict[str, str]) -> None:
    if rule.propagate is not None:
        propagate(rule.propagate, client, headers)
    elif rule.insert is not None:
        headers[rule.insert.name.lower()] = rule.insert.value
    elif rule.remove is not None:
        for name in matching(rule.remove.named, rule.remove.matching, headers):
            del headers[name]


def propagate(rule: PropagateRule, client: Mapping[str, str], headers: dict[str, str]) -> None:
    if rule.named is not None:
        name = rule.named.lower()
        value = client.get(name, rule.default)
        if value is not None and name not in RESERVED:
            headers[(rule.rename or name).lower()] = value
        return
    for name in matching(None, rule.matching, client):
        if name not in RESERVED:
            headers[name] = client[name]


def matching(named: str | None, pattern: str | None, headers: Mapping[str, str]) -> Sequence[str]:
    if named is not None:
        return [named.lower()] if named.lower() in headers else []
    expression = re.compile(pattern or "", re.IGNORECASE)
    return [name for name in list(headers) if expression.search(name)]


class HeaderRulesClient:
    """Adds each fetch's rule-built headers; the gateway's own (trace context, the verified
    token) win over them."""

    def __init__(self, inner: SubgraphClient, rules: HeaderRules) -> None:
        self.inner = inner
        self.rules = rules

    async def fetch(self, graph: GraphLike, request: SubgraphRequest) -> SubgraphResponse:
        fields = REQUEST.get()
        client = fields.headers if fields is not None else {}
        headers = {**self.rules.for_subgraph(graph.name, client), **request.headers}
        return await self.inner.fetch(graph, dataclasses.replace(request, headers=headers))
