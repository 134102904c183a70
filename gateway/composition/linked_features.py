"""Every spec a subgraph `@link`s (not only federation's), and which local directive names
belong to which spec: what `@composeDirective` needs to carry a custom directive over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graphql import DirectiveNode

from gateway.composition.federation_links import (
    LINK_URL,
    link_argument,
    link_imports,
    string_value,
)

# Apollo's own specs: their directives are composed (or not) by federation itself, never
# through `@composeDirective`.
DISALLOWED_IDENTITIES = frozenset(
    "https://specs.apollo.dev/" + name
    for name in (
        "core", "join", "link", "tag", "inaccessible", "federation", "authenticated",
        "requiresScopes", "source", "context", "cost",
    )
)  # fmt: skip


@dataclass(frozen=True)
class LinkedFeature:
    """One `@link(url: "<identity>/v<major>.<minor>", as:, import:)` of a subgraph."""

    url: str
    identity: str
    major: int
    minor: int
    alias: str | None
    imports: tuple[tuple[str, str], ...]  # (name in the spec, local name), without "@"

    @property
    def name(self) -> str:
        """The spec's own name: the last segment of its identity."""
        return self.identity.rstrip("/").rsplit("/", 1)[-1]

    @property
    def prefix(self) -> str:
        return self.alias or self.name

    def name_in_feature(self, local: str) -> str | None:
        """The spec's name for a local directive name, or None when it is not this spec's."""
        for original, imported in self.imports:
            if imported == local:
                return original
        if local == self.prefix:
            return self.name
        if local.startswith(self.prefix + "__"):
            return local[len(self.prefix) + 2 :]
        return None

    def local_name(self, original: str) -> str:
        """The name a directive of this spec goes by in the subgraph."""
        for name, imported in self.imports:
            if name == original:
                return imported
        if original == self.name:
            return self.prefix
        return f"{self.prefix}__{original}"


def read_linked_features(link_directives: Sequence[DirectiveNode]) -> tuple[LinkedFeature, ...]:
    features = []
    for directive in link_directives:
        url = string_value(link_argument(directive, "url")) or ""
        match = LINK_URL.match(url)
        if not match:
            continue
        features.append(
            LinkedFeature(
                url=url.rstrip("/"),
                identity=match["identity"],
                major=int(match["major"]),
                minor=int(match["minor"]),
                alias=string_value(link_argument(directive, "as")),
                imports=tuple(link_imports(directive)),
            )
        )
    return tuple(features)
