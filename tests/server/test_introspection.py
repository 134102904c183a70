"""Introspection is off unless configured (as in Apollo Router), and with it go the field-name
suggestions of validation errors; `__typename` is always answered."""

from __future__ import annotations

import pytest

from gateway.server import GatewayConfig
from tests.server.harness import gateway

SCHEMA_QUERY = "{ __schema { queryType { name } } }"
TYPE_QUERY = '{ __type(name: "Product") { name } }'
TYPO = '{ product(upc: "1") { nme } }'


@pytest.mark.parametrize("query", [SCHEMA_QUERY, TYPE_QUERY])
async def test_introspection_is_refused_by_default(query: str) -> None:
    async with gateway() as (client, subgraphs):
        response = await client.post("/graphql", json={"query": query})

    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection has been disabled" in error["message"]
    assert subgraphs.requests == {}


async def test_suggestions_are_hidden_without_introspection() -> None:
    async with gateway() as (client, _):
        response = await client.post("/graphql", json={"query": TYPO})

    [error] = response.json()["errors"]
    assert error["message"] == "Cannot query field 'nme' on type 'Product'."


async def test_typename_needs_no_introspection() -> None:
    async with gateway() as (client, _):
        response = await client.post("/graphql", json={"query": "{ __typename }"})

    assert response.json() == {"data": {"__typename": "Query"}}


async def test_introspection_and_suggestions_when_turned_on() -> None:
    config = GatewayConfig(introspection=True)
    async with gateway(config=config) as (client, _):
        schema = await client.post("/graphql", json={"query": SCHEMA_QUERY})
        typo = await client.post("/graphql", json={"query": TYPO})

    assert schema.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert "Did you mean 'name'?" in typo.json()["errors"][0]["message"]
