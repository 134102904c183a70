"""`@link` resolution: which local name each spec directive has in this supergraph.

Federation 1 supergraphs declare their specs with `@core(feature:, as:)` instead of
`@link(url:, as:)`; both read the same way (`@core` has no `import:`).

A spec's own directive (`@inaccessible` of the inaccessible spec) is named after the spec, or its
`as:`; its other elements are `<prefix>__<element>` unless imported (`import: ["@x"]` or
`{name: "@x", as: "@y"}`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graphql import (
    ConstValueNode,
    DirectiveNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    ValueNode,
    value_from_ast_untyped,
)

from gateway.supergraph.errors import SupergraphError

_URL = re.compile(r"^(?P<base>.*/)?(?P<name>[A-Za-z_][\w-]*)/v(?P<major>\d+)\.(?P<minor>\d+)/?$")

# v0.1 is what Federation 1 composition wrote (under `@core` rather than `@link`).
SUPPORTED_JOIN_VERSIONS = ((0, 1), (0, 2), (0, 3), (0, 4), (0, 5))


@dataclass(frozen=True)
class Link:
    url: str
    identity: str
    name: str
    version: tuple[int, int]
    prefix: str
    imports: Mapping[str, str]

    def directive(self, element: str) -> str:
        """The local name of the spec's directive `element` (without `@`)."""
        imported = self.imports.get("@" + element)
        if imported is not None:
            return imported.removeprefix("@")
        if element == self.name:
            return self.prefix
        return f"{self.prefix}__{element}"

    def type_name(self, element: str) -> str:
        return self.imports.get(element, f"{self.prefix}__{element}")

    def owns_type(self, type_name: str) -> bool:
        return type_name.startswith(self.prefix + "__") or type_name in self.imports.values()

    def owns_directive(self, directive_name: str) -> bool:
        return (
            directive_name == self.prefix
            or directive_name.startswith(self.prefix + "__")
            or "@" + directive_name in self.imports.values()
        )


def read_links(
    schema_nodes: Sequence[SchemaDefinitionNode | SchemaExtensionNode],
) -> dict[str, Link]:
    """Links by spec name (`join`, `link`, `inaccessible`, ...)."""
    links: dict[str, Link] = {}
    for node in schema_nodes:
        for directive in node.directives or ():
            link = _read_link(directive)
            if link is not None:
                links[link.name] = link
    return links


def _read_link(directive: DirectiveNode) -> Link | None:
    arguments = {argument.name.value: argument.value for argument in directive.arguments or ()}
    url_node = arguments.get("url") or arguments.get("feature")
    if not isinstance(url_node, StringValueNode):
        return None
    match = _URL.match(url_node.value)
    if match is None:
        raise SupergraphError(
            f"@{directive.name.value}: cannot read the spec url {url_node.value!r}"
        )
    name = match["name"]
    alias = arguments.get("as")
    prefix = alias.value if isinstance(alias, StringValueNode) else name
    return Link(
        url=url_node.value,
        identity=(match["base"] or "") + name,
        name=name,
        version=(int(match["major"]), int(match["minor"])),
        prefix=prefix,
        imports=_imports(arguments.get("import")),
    )


def _imports(node: ConstValueNode | ValueNode | None) -> dict[str, str]:
    if not isinstance(node, ListValueNode):
        return {}
    imports: dict[str, str] = {}
    for item in node.values:
        if isinstance(item, StringValueNode):
            imports[item.value] = item.value
        elif isinstance(item, ObjectValueNode):
            value = value_from_ast_untyped(item)
            if isinstance(value, dict) and isinstance(value.get("name"), str):
                imports[value["name"]] = str(value.get("as") or value["name"])
    return imports


def join_link(links: Mapping[str, Link]) -> Link:
    join = links.get("join")
    if join is None:
        raise SupergraphError(
            "the schema does not @link the join spec (https://specs.apollo.dev/join/v0.x), "
            "nor @core it: it is not a supergraph"
        )
    if join.version not in SUPPORTED_JOIN_VERSIONS:
        raise SupergraphError(
            f"join spec v{join.version[0]}.{join.version[1]} is not supported "
            "(supported: v0.1, v0.2, v0.3, v0.4, v0.5)"
        )
    return join
