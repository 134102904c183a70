"""Which local directive names mean which federation directive, from a subgraph's `@link`s.

Fed 2 subgraphs `@link` the federation spec and import directives (possibly renamed); the
directives they do not import are still usable as `federation__<name>` (or `<as>__<name>`).
Fed 1 subgraphs have no link: every federation directive goes by its plain name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from graphql import (
    ConstListValueNode,
    ConstObjectValueNode,
    ConstValueNode,
    DirectiveNode,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
)

from gateway.composition.errors import CompositionError

FEDERATION_IDENTITY = "https://specs.apollo.dev/federation"
LATEST_FEDERATION_MINOR = 14

# Federation directives and the federation minor version that introduced each.
FEDERATION_DIRECTIVES: dict[str, int] = {
    "key": 0, "requires": 0, "provides": 0, "external": 0, "tag": 0, "extends": 0,
    "shareable": 0, "inaccessible": 0, "override": 0, "composeDirective": 1,
    "interfaceObject": 3, "authenticated": 5, "requiresScopes": 5, "policy": 6,
    "context": 8, "fromContext": 8, "cost": 9, "listSize": 9, "cacheTag": 12,
}  # fmt: skip

# Specs that can also be linked on their own, with the directives they define.
STANDALONE_SPECS: dict[str, tuple[str, ...]] = {
    "https://specs.apollo.dev/tag": ("tag",),
    "https://specs.apollo.dev/inaccessible": ("inaccessible",),
    "https://specs.apollo.dev/authenticated": ("authenticated",),
    "https://specs.apollo.dev/requiresScopes": ("requiresScopes",),
    "https://specs.apollo.dev/policy": ("policy",),
    "https://specs.apollo.dev/cost": ("cost", "listSize"),
}

LINK_URL = re.compile(r"^(?P<identity>.*)/v(?P<major>\d+)\.(?P<minor>\d+)/?$")


@dataclass(frozen=True)
class FederationNames:
    """Local directive name → federation meaning."""

    version: tuple[int, int] | None
    meanings: dict[str, str]
    link_names: frozenset[str]  # local names of `@link` itself

    def meaning(self, directive: DirectiveNode) -> str | None:
        return self.meanings.get(directive.name.value)


def _string(value: ValueNode | None) -> str | None:
    return value.value if isinstance(value, StringValueNode) else None


def _argument(directive: DirectiveNode, name: str) -> ConstValueNode | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return argument.value  # type: ignore[return-value]
    return None


def _imports(directive: DirectiveNode) -> list[tuple[str, str]]:
    """(name in the spec, local name) pairs of a link's `import:` list, without the `@`."""
    value = _argument(directive, "import")
    items: Sequence[ValueNode] = ()
    if isinstance(value, ConstListValueNode | ListValueNode):
        items = value.values
    elif value is not None:
        items = (value,)
    pairs = []
    for item in items:
        if isinstance(item, StringValueNode):
            pairs.append((item.value.lstrip("@"), item.value.lstrip("@")))
        elif isinstance(item, ConstObjectValueNode | ObjectValueNode):
            fields = {field.name.value: _string(field.value) for field in item.fields}
            name = fields.get("name")
            if name:
                pairs.append((name.lstrip("@"), (fields.get("as") or name).lstrip("@")))
    return pairs


def resolve_names(
    subgraph: str, link_directives: Sequence[DirectiveNode], errors: list[CompositionError]
) -> FederationNames:
    meanings: dict[str, str] = {}
    link_names = {"link"}
    version: tuple[int, int] | None = None
    for directive in link_directives:
        url = _string(_argument(directive, "url")) or ""
        match = LINK_URL.match(url)
        if not match:
            continue
        identity = match["identity"]
        alias = _string(_argument(directive, "as"))
        imports = _imports(directive)
        if identity == FEDERATION_IDENTITY:
            major, minor = int(match["major"]), int(match["minor"])
            if major != 2 or minor > LATEST_FEDERATION_MINOR:
                errors.append(
                    CompositionError(
                        "UNKNOWN_FEDERATION_LINK_VERSION",
                        f"[{subgraph}] Invalid version v{major}.{minor} for the federation "
                        "feature in @link direction on schema",
                        (subgraph,),
                        "schema",
                    )
                )
                continue
            version = (major, minor)
            prefix = alias or "federation"
            for name, introduced in FEDERATION_DIRECTIVES.items():
                if introduced <= minor:
                    meanings[f"{prefix}__{name}"] = name
            for name, local in imports:
                if name in FEDERATION_DIRECTIVES and FEDERATION_DIRECTIVES[name] <= minor:
                    meanings[local] = name
        elif identity in STANDALONE_SPECS:
            defined = STANDALONE_SPECS[identity]
            prefix = alias or identity.rsplit("/", 1)[1]
            for name in defined:
                meanings[prefix if name == identity.rsplit("/", 1)[1] else f"{prefix}__{name}"] = (
                    name
                )
            for name, local in imports:
                if name in defined:
                    meanings[local] = name
        elif identity == "https://specs.apollo.dev/link":
            link_names.add(alias or "link")
    if version is None:
        # Fed 1: plain names, and only the directives Fed 1 knew.
        meanings = {
            name: name
            for name in (
                "key",
                "requires",
                "provides",
                "external",
                "extends",
                "tag",
                "inaccessible",
            )
        }
    return FederationNames(version, meanings, frozenset(link_names))


# The link-reading helpers, for the other spec readers (`linked_features`).
link_argument = _argument
link_imports = _imports
string_value = _string
