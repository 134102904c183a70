"""Reading the supergraph's directives: their local names (through `@link`/`@core`) and
their arguments, as plain values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    ConstDirectiveNode,
    NamedTypeNode,
    TypeNode,
    print_ast,
    value_from_ast_untyped,
)
from graphql.language import ListTypeNode, NonNullTypeNode

from gateway.supergraph.links import Link

Arguments = dict[str, Any]


class DirectiveNames:
    """The local names of every directive the model reads, resolved through `@link`."""

    def __init__(self, links: Mapping[str, Link], join: Link) -> None:
        self.join_type = join.directive("type")
        self.join_owner = join.directive("owner")  # join v0.1 (Federation 1) only
        self.join_field = join.directive("field")
        self.join_implements = join.directive("implements")
        self.join_union_member = join.directive("unionMember")
        self.join_enum_value = join.directive("enumValue")
        self.join_graph = join.directive("graph")
        self.join_directive = join.directive("directive")
        self.join_graph_enum = join.type_name("Graph")

        def named(spec: str, element: str) -> str | None:
            link = links.get(spec)
            return link.directive(element) if link is not None else None

        self.inaccessible = named("inaccessible", "inaccessible")
        self.authenticated = named("authenticated", "authenticated")
        self.requires_scopes = named("requiresScopes", "requiresScopes")
        self.policy = named("policy", "policy")
        self.cost = named("cost", "cost")
        self.list_size = named("cost", "listSize")


def type_string(node: TypeNode) -> str:
    return print_ast(node)


def named_type(node: TypeNode) -> str:
    while isinstance(node, ListTypeNode | NonNullTypeNode):
        node = node.type
    assert isinstance(node, NamedTypeNode)
    return node.name.value


def directive_arguments(
    directives: Iterable[ConstDirectiveNode] | None, name: str | None
) -> list[Arguments]:
    if name is None:
        return []
    return [
        {
            argument.name.value: value_from_ast_untyped(argument.value)
            for argument in node.arguments or ()
        }
        for node in directives or ()
        if node.name.value == name
    ]
