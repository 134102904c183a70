"""Type references across subgraphs: equality and Apollo's subtyping rules."""

from __future__ import annotations

from collections.abc import Callable

from graphql import ListTypeNode, NamedTypeNode, NonNullTypeNode, TypeNode, print_ast

IsMember = Callable[[str, str], bool]  # (abstract type, maybe member) → member?


def type_string(type_node: TypeNode) -> str:
    """The type as GraphQL prints it (`[Int!]!`). Written out rather than `print_ast`, whose
    generic visitor cost more than the rest of merging a field (composition asks for every
    field of every subgraph)."""
    if isinstance(type_node, NonNullTypeNode):
        return type_string(type_node.type) + "!"
    if isinstance(type_node, ListTypeNode):
        return "[" + type_string(type_node.type) + "]"
    if isinstance(type_node, NamedTypeNode):
        return type_node.name.value
    return print_ast(type_node)


def same_type(left: TypeNode, right: TypeNode) -> bool:
    return type_string(left) == type_string(right)


def is_subtype(supertype: TypeNode, maybe_subtype: TypeNode, is_member: IsMember) -> bool:
    """Apollo's default rules: direct subtyping, non-null downgrade, list and non-null
    propagation."""
    if isinstance(supertype, NonNullTypeNode):
        return isinstance(maybe_subtype, NonNullTypeNode) and is_subtype(
            supertype.type, maybe_subtype.type, is_member
        )
    if isinstance(maybe_subtype, NonNullTypeNode):
        return is_subtype(supertype, maybe_subtype.type, is_member)
    if isinstance(supertype, ListTypeNode):
        return isinstance(maybe_subtype, ListTypeNode) and is_subtype(
            supertype.type, maybe_subtype.type, is_member
        )
    if isinstance(maybe_subtype, ListTypeNode):
        return False
    assert isinstance(supertype, NamedTypeNode)
    assert isinstance(maybe_subtype, NamedTypeNode)
    if supertype.name.value == maybe_subtype.name.value:
        return True
    return is_member(supertype.name.value, maybe_subtype.name.value)


def is_strict_subtype(supertype: TypeNode, maybe_subtype: TypeNode, is_member: IsMember) -> bool:
    return not same_type(supertype, maybe_subtype) and is_subtype(
        supertype, maybe_subtype, is_member
    )


def is_required(type_node: TypeNode, default: object) -> bool:
    return isinstance(type_node, NonNullTypeNode) and default is None
