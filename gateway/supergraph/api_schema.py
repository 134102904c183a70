"""Derive the API schema: what clients see of the supergraph.

Everything a linked spec owns is dropped (`join__*`/`link__*` types, spec directives and their
applications), and so is every element marked `@inaccessible`. Descriptions and
`@deprecated` stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    ConstDirectiveNode,
    DefinitionNode,
    DirectiveDefinitionNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NamedTypeNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    build_ast_schema,
)

from gateway.supergraph.errors import SupergraphError
from gateway.supergraph.links import Link


def build_api_schema(document: DocumentNode, links: Mapping[str, Link]) -> GraphQLSchema:
    inaccessible_link = links.get("inaccessible")
    inaccessible = inaccessible_link.directive("inaccessible") if inaccessible_link else None

    def owned_directive(name: str) -> bool:
        return any(link.owns_directive(name) for link in links.values())

    def owned_type(name: str) -> bool:
        return any(link.owns_type(name) for link in links.values())

    def hidden(node: Any) -> bool:
        return inaccessible is not None and any(
            directive.name.value == inaccessible for directive in node.directives or ()
        )

    def kept_directives(
        directives: Iterable[ConstDirectiveNode] | None,
    ) -> tuple[ConstDirectiveNode, ...]:
        return tuple(
            directive for directive in directives or () if not owned_directive(directive.name.value)
        )

    removed_types = {
        definition.name.value
        for definition in document.definitions
        if isinstance(definition, TypeDefinitionNode | TypeExtensionNode)
        and (hidden(definition) or owned_type(definition.name.value))
    }

    def clean(node: Any) -> Any:
        changes: dict[str, Any] = {"directives": kept_directives(node.directives)}
        for attribute in ("fields", "values", "arguments"):
            children = getattr(node, attribute, None)
            if children is not None:
                changes[attribute] = tuple(clean(child) for child in children if not hidden(child))
        for attribute in ("interfaces", "types"):
            named: tuple[NamedTypeNode, ...] | None = getattr(node, attribute, None)
            if named is not None:
                changes[attribute] = tuple(
                    item for item in named if item.name.value not in removed_types
                )
        return _copy(node, changes)

    definitions: list[DefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            definitions.append(_copy(definition, {"directives": ()}))
        elif isinstance(definition, DirectiveDefinitionNode) and not owned_directive(
            definition.name.value
        ):
            definitions.append(definition)
        elif (
            isinstance(definition, TypeDefinitionNode | TypeExtensionNode)
            and definition.name.value not in removed_types
        ):
            definitions.append(clean(definition))
    try:
        return build_ast_schema(DocumentNode(definitions=tuple(definitions)), assume_valid_sdl=True)
    except (GraphQLError, TypeError) as error:
        raise SupergraphError(f"cannot build the API schema: {error}") from None


def _copy(node: Any, changes: dict[str, Any]) -> Any:
    """graphql-core AST nodes are plain classes with keyword constructors."""
    values = {key: getattr(node, key) for key in node.keys if key != "loc"}
    values.update(changes)
    return type(node)(**values)
