"""Normalization keeps what the planner and the shaping still need: fragments inlined with
their type conditions, literal `@skip`/`@include` applied, every other directive kept in place
(variable conditions among them)."""

from __future__ import annotations

from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast

from gateway.operation.normalize import normalize_selection_set


def normalized(source: str) -> str:
    document = parse(source)
    operation = next(
        node for node in document.definitions if isinstance(node, OperationDefinitionNode)
    )
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    return print_ast(normalize_selection_set(operation.selection_set, fragments))


def test_variable_conditions_and_other_directives_stay_where_they_were() -> None:
    source = """query($show: Boolean!) {
        a @include(if: $show) @tag
        ... on Query @skip(if: $show) { b }
        ...F @include(if: $show)
    }
    fragment F on Query { c @tag }"""
    assert normalized(source) == (
        "{\n"
        "  a @include(if: $show) @tag\n"
        "  ... on Query @skip(if: $show) {\n    b\n  }\n"
        "  ... on Query @include(if: $show) {\n    c @tag\n  }\n"
        "}"
    )


def test_literal_conditions_are_applied_after_any_other_directive() -> None:
    source = """{
        a @tag @skip(if: true)
        b @tag @include(if: false)
        c @tag @skip(if: false)
        d @include(if: true) @tag
    }"""
    assert normalized(source) == "{\n  c @tag\n  d @tag\n}"
