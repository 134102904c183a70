"""Property: for operations generated from a scenario's API schema, the federated answer (the
gateway over the scenario's subgraphs, on Apollo's supergraph) equals the answer of the same
schema served as one plain Strawberry app over the same data (`<scenario>/monolith.py`).

The operations are drawn by hypothesis: a non-empty subset of each type's fields (aliased now
and then, arguments from the monolith's `ARGUMENTS`), `__typename`, and on abstract types inline
fragments on their members and on the interfaces those implement, down to three levels. The
scenarios are those whose planning crosses subgraphs in the ways that went wrong before: a
shared root field split across subgraphs, a fall back to the enclosing entity, an abstract
fragment whose implementations differ per subgraph.
"""

from __future__ import annotations

import asyncio
import importlib
import os
from functools import cache
from typing import Any

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_abstract_type,
    is_composite_type,
    parse,
    validate,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conformance.harness import Scenario
from tests.conformance.test_scenarios import ordered

SCENARIOS = ["shared_root_split", "enclosing_entity", "abstract_fragment_split"]
# 40 per scenario in CI; PROPERTY_EXAMPLES explores further.
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "40"))
MAX_DEPTH = 3


@cache
def federated(name: str) -> Any:
    from gateway.supergraph import Supergraph

    return Supergraph.from_sdl(Scenario.load(name).supergraph_sdl)


def monolith(name: str) -> Any:
    return importlib.import_module(f"tests.conformance.scenarios.{name}.monolith")


@st.composite
def selection_set(
    draw: st.DrawFn,
    schema: GraphQLSchema,
    type_: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
    arguments: dict[str, list[str]],
    depth: int,
) -> str:
    parts: list[str] = []
    if draw(st.booleans()) and depth > 0:
        parts.append("__typename")
    if is_abstract_type(type_):
        members = list(schema.get_possible_types(type_))  # type: ignore[arg-type]
        interfaces = sorted(
            {interface.name for member in members for interface in member.interfaces} - {type_.name}
        )
        conditions = [member.name for member in members] + interfaces
        for condition in draw(st.lists(st.sampled_from(conditions), min_size=1, unique=True)):
            inner = schema.get_type(condition)
            assert isinstance(inner, GraphQLObjectType | GraphQLInterfaceType)
            body = draw(selection_set(schema, inner, arguments, depth))
            parts.append(f"... on {condition} {{ {body} }}")
        return " ".join(parts)
    assert isinstance(type_, GraphQLObjectType | GraphQLInterfaceType)
    names = [name for name in type_.fields if not name.startswith("_")]
    for name in draw(st.lists(st.sampled_from(names), min_size=1, unique=True)):
        field = type_.fields[name]
        named = get_named_type(field.type)
        if is_composite_type(named) and depth + 1 >= MAX_DEPTH:
            continue
        text = name
        if draw(st.integers(0, 3)) == 0:
            text = f"{name}Alias: {name}"
        if field.args:
            values = arguments[f"{type_.name}.{name}"]
            [argument] = field.args
            text += f"({argument}: {draw(st.sampled_from(values))})"
        if is_composite_type(named):
            text += " { " + draw(selection_set(schema, named, arguments, depth + 1)) + " }"
        parts.append(text)
    return " ".join(parts) or "__typename"


@st.composite
def operations(draw: st.DrawFn, scenario: str) -> str:
    schema = federated(scenario).api_schema
    root = schema.query_type
    assert root is not None
    body = draw(selection_set(schema, root, monolith(scenario).ARGUMENTS, 0))
    return f"{{ {body} }}"


async def federated_answer(scenario: str, query: str) -> dict[str, Any]:
    from gateway.execution import HttpSubgraphClient, execute
    from gateway.operation import prepare
    from gateway.planning import plan

    supergraph = federated(scenario)
    operation = prepare(query, None, supergraph.api_schema)
    client = HttpSubgraphClient(transport=Scenario.load(scenario).transport())
    try:
        return await execute(plan(supergraph, operation), operation, None, supergraph, client)
    finally:
        await client.aclose()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_federated_answer_equals_monolith(scenario: str) -> None:
    reference = monolith(scenario).schema

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(query=operations(scenario))
    def check(query: str) -> None:
        errors = validate(federated(scenario).api_schema, parse(query))
        assert not errors, (query, errors)
        expected = reference.execute_sync(query)
        assert expected.errors is None, (query, expected.errors)
        answer = asyncio.run(federated_answer(scenario, query))
        assert "errors" not in answer, (query, answer)
        assert ordered(answer["data"]) == ordered(expected.data), query

    check()
