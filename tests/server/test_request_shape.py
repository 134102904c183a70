"""What reaches `/graphql` before any GraphQL runs: body size, CSRF, `Accept`, request shape.

Each refusal is a coded GraphQL error with the status Apollo Router answers, never a 500."""

from __future__ import annotations

import orjson
import pytest

from gateway.server import GatewayConfig
from gateway.server.config import CsrfConfig, LimitsConfig
from tests.server.harness import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, gateway

QUERY = '{ product(upc: "1") { upc name } }'
PREFLIGHT = {"apollo-require-preflight": "true"}
SMALL_BODIES = GatewayConfig(limits=LimitsConfig(http_max_request_bytes=1000))


def codes(response: object) -> list[str]:
    body = response.json()  # type: ignore[attr-defined]
    return [error["extensions"]["code"] for error in body["errors"]]


async def test_a_body_over_the_limit_is_413_before_parsing() -> None:
    # Not JSON at all: a parser would answer 400, the limit answers first.
    async with gateway(config=SMALL_BODIES) as (client, subgraphs):
        response = await client.post(
            "/graphql", content=b"x" * 1001, headers={"content-type": "application/json"}
        )

    assert response.status_code == 413
    assert codes(response) == ["PAYLOAD_TOO_LARGE"]
    assert subgraphs.requests == {}


async def test_a_chunked_body_over_the_limit_is_413() -> None:
    async def chunks():  # no content-length: the limit is counted while reading
        for _ in range(20):
            yield b" " * 100

    async with gateway(config=SMALL_BODIES) as (client, _):
        response = await client.post(
            "/graphql", content=chunks(), headers={"content-type": "application/json"}
        )

    assert response.status_code == 413


async def test_a_body_within_the_limit_runs() -> None:
    async with gateway(config=SMALL_BODIES) as (client, _):
        response = await client.post("/graphql", json={"query": QUERY})

    assert response.json() == {"data": {"product": {"upc": "1", "name": "Table"}}}


async def test_the_default_body_limit_is_two_megabytes() -> None:
    body = orjson.dumps({"query": QUERY, "extensions": {"pad": "x" * 2_000_000}})
    async with gateway() as (client, _):
        response = await client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )

    assert response.status_code == 413


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
async def test_a_simple_post_is_refused_as_csrf(content_type: str) -> None:
    async with gateway() as (client, subgraphs):
        response = await client.post(
            "/graphql",
            content=orjson.dumps({"query": QUERY}),
            headers={"content-type": content_type},
        )

    assert response.status_code == 400
    assert codes(response) == ["CSRF_ERROR"]
    assert subgraphs.requests == {}


async def test_a_get_without_a_preflight_header_is_refused_as_csrf() -> None:
    async with gateway() as (client, subgraphs):
        response = await client.get("/graphql", params={"query": QUERY})

    assert response.status_code == 400
    assert codes(response) == ["CSRF_ERROR"]
    assert subgraphs.requests == {}


@pytest.mark.parametrize(
    "headers",
    [
        {"apollo-require-preflight": "true"},
        {"x-apollo-operation-name": "Product"},
        {"content-type": "application/json"},
    ],
)
async def test_a_get_a_browser_would_preflight_runs(headers: dict[str, str]) -> None:
    async with gateway() as (client, _):
        response = await client.get("/graphql", params={"query": QUERY}, headers=headers)

    assert response.json() == {"data": {"product": {"upc": "1", "name": "Table"}}}


async def test_an_empty_preflight_header_does_not_count() -> None:
    async with gateway() as (client, _):
        response = await client.get(
            "/graphql", params={"query": QUERY}, headers={"apollo-require-preflight": ""}
        )

    assert codes(response) == ["CSRF_ERROR"]


async def test_csrf_prevention_can_be_turned_off() -> None:
    async with gateway(config=GatewayConfig(csrf=CsrfConfig(unsafe_disabled=True))) as (client, _):
        response = await client.get("/graphql", params={"query": QUERY})

    assert response.status_code == 200


async def test_graphiql_is_not_an_operation_and_needs_no_preflight() -> None:
    async with gateway(config=GatewayConfig(graphiql=True)) as (client, _):
        response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "accept", ["text/html", "application/xml", f"{GRAPHQL_RESPONSE_JSON};q=0", "image/*"]
)
async def test_an_accept_header_no_json_satisfies_is_406(accept: str) -> None:
    async with gateway() as (client, subgraphs):
        response = await client.post("/graphql", json={"query": QUERY}, headers={"accept": accept})

    assert response.status_code == 406
    assert response.headers["content-type"] == APPLICATION_JSON
    assert codes(response) == ["INVALID_ACCEPT_HEADER"]
    assert subgraphs.requests == {}


@pytest.mark.parametrize("accept", ["*/*", "application/*", "text/html, application/json;q=0.1"])
async def test_wildcards_and_a_listed_json_type_are_satisfiable(accept: str) -> None:
    async with gateway() as (client, _):
        response = await client.post("/graphql", json={"query": QUERY}, headers={"accept": accept})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("operationName", {"a": 1}),
        ("operationName", ["A"]),
        ("operationName", True),
        ("operationName", 7),
        ("query", {"a": 1}),
        ("query", 7),
        ("variables", ["a"]),
        ("variables", "a"),
        ("extensions", 3),
    ],
)
async def test_a_member_of_the_wrong_type_is_a_400_never_a_500(field: str, value: object) -> None:
    async with gateway() as (client, subgraphs):
        response = await client.post("/graphql", json={"query": QUERY, field: value})

    assert response.status_code == 400
    assert codes(response) == ["INVALID_GRAPHQL_REQUEST"]
    assert subgraphs.requests == {}


@pytest.mark.parametrize("variables", ["[1]", "1", '"x"', "{"])
async def test_get_variables_that_are_not_an_object_are_a_400(variables: str) -> None:
    async with gateway() as (client, _):
        response = await client.get(
            "/graphql", params={"query": QUERY, "variables": variables}, headers=PREFLIGHT
        )

    assert response.status_code == 400
    assert codes(response) == ["INVALID_GRAPHQL_REQUEST"]
