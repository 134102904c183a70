"""`/graphql` over HTTP as the GraphQL-over-HTTP spec describes it, for both response media
types, and `/health`."""

from __future__ import annotations

import logging

import httpx
import pytest

from gateway.operation import PreparedOperation
from gateway.planning.nodes import QueryPlan
from gateway.server import GatewayConfig
from gateway.server.config import LimitsConfig
from tests.server.harness import (
    APPLICATION_JSON,
    GRAPHQL_RESPONSE_JSON,
    MEDIA_TYPES,
    gateway,
)

QUERY = '{ product(upc: "1") { upc name } }'
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture(params=MEDIA_TYPES)
def accept(request: pytest.FixtureRequest) -> str:
    media_type: str = request.param
    return media_type


def request_error_status(accept: str) -> int:
    return 400 if accept == GRAPHQL_RESPONSE_JSON else 200


async def test_a_post_query_is_answered_in_the_accepted_media_type(accept: str) -> None:
    async with gateway() as (client, _):
        response = await client.post("/graphql", json={"query": QUERY}, headers={"accept": accept})

    assert response.status_code == 200
    assert response.headers["content-type"] == accept
    assert response.json() == {"data": {"product": {"upc": "1", "name": "Table"}}}


async def test_without_an_accept_header_the_answer_is_legacy_json() -> None:
    async with gateway() as (client, _):
        response = await client.post("/graphql", json={"query": QUERY}, headers={"accept": ""})

    assert response.headers["content-type"] == APPLICATION_JSON


async def test_the_preferred_media_type_wins() -> None:
    accept = f"{APPLICATION_JSON};q=0.5, {GRAPHQL_RESPONSE_JSON}"
    async with gateway() as (client, _):
        response = await client.post("/graphql", json={"query": QUERY}, headers={"accept": accept})

    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON


async def test_variables_and_operation_name_reach_the_subgraph(accept: str) -> None:
    async with gateway() as (client, subgraphs):
        response = await client.post(
            "/graphql",
            json={
                "query": "query A { me { id } } "
                "query B($upc: String!) { product(upc: $upc) { upc name } }",
                "operationName": "B",
                "variables": {"upc": "1"},
            },
            headers={"accept": accept},
        )

    assert response.json() == {"data": {"product": {"upc": "1", "name": "Table"}}}
    assert subgraphs.requests["products"][0]["variables"] == {"upc": "1"}


async def test_a_validation_failure_is_a_request_error_without_data(accept: str) -> None:
    async with gateway() as (client, subgraphs):
        response = await client.post(
            "/graphql", json={"query": "{ product(upc: 1) { zzz } }"}, headers={"accept": accept}
        )

    assert response.status_code == request_error_status(accept)
    assert response.headers["content-type"] == accept
    body = response.json()
    assert "data" not in body
    assert [error["extensions"]["code"] for error in body["errors"]] == [
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
    ]
    assert body["errors"][1] == {
        "message": "Cannot query field 'zzz' on type 'Product'.",
        "locations": [{"line": 1, "column": 21}],
        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
    }
    assert subgraphs.requests == {}


async def test_a_parse_failure_is_a_request_error(accept: str) -> None:
    async with gateway() as (client, _):
        response = await client.post(
            "/graphql", json={"query": "{ product("}, headers={"accept": accept}
        )

    assert response.status_code == request_error_status(accept)
    assert response.json() == {
        "errors": [
            {
                "message": "Syntax Error: Expected Name, found <EOF>.",
                "locations": [{"line": 1, "column": 11}],
                "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
            }
        ]
    }


async def test_invalid_variables_are_a_request_error(accept: str) -> None:
    async with gateway() as (client, _):
        response = await client.post(
            "/graphql",
            json={
                "query": "query ($upc: String!) { product(upc: $upc) { upc } }",
                "variables": {},
            },
            headers={"accept": accept},
        )

    assert response.status_code == request_error_status(accept)
    assert response.json()["errors"][0]["extensions"] == {
        "code": "VALIDATION_INVALID_TYPE_VARIABLE"
    }


async def test_configured_limits_refuse_deep_operations(accept: str) -> None:
    config = GatewayConfig(limits=LimitsConfig(max_depth=1))
    async with gateway(config=config) as (client, _):
        response = await client.post("/graphql", json={"query": QUERY}, headers={"accept": accept})

    assert response.status_code == request_error_status(accept)
    assert response.json() == {
        "errors": [
            {
                "message": "Maximum depth limit exceeded in this operation",
                "extensions": {"code": "MAX_DEPTH_LIMIT"},
            }
        ]
    }


async def test_a_query_over_get(accept: str) -> None:
    async with gateway() as (client, _):
        response = await client.get(
            "/graphql",
            params={
                "query": "query ($upc: String!) { product(upc: $upc) { upc name } }",
                "variables": '{"upc": "1"}',
            },
            headers={"accept": accept, "apollo-require-preflight": "true"},
        )

    assert response.status_code == 200
    assert response.json() == {"data": {"product": {"upc": "1", "name": "Table"}}}


async def test_a_mutation_over_get_is_refused_with_405(accept: str) -> None:
    async with gateway() as (client, subgraphs):
        response = await client.get(
            "/graphql",
            params={"query": 'mutation { addReview(upc: "1", body: "x") { id } }'},
            headers={"accept": accept, "apollo-require-preflight": "true"},
        )

    assert response.status_code == 405
    assert response.json() == {
        "errors": [
            {
                "message": "Mutations can only be sent over HTTP POST",
                "extensions": {"code": "MUTATION_FORBIDDEN"},
            }
        ]
    }
    assert subgraphs.requests == {}


async def test_a_mutation_over_post_runs(accept: str) -> None:
    async with gateway(lambda _: {"data": {"addReview": {"id": "9"}}}) as (client, _):
        response = await client.post(
            "/graphql",
            json={"query": 'mutation { addReview(upc: "1", body: "x") { id } }'},
            headers={"accept": accept},
        )

    assert response.json() == {"data": {"addReview": {"id": "9"}}}


async def test_a_malformed_json_body_is_a_400_with_a_code(accept: str) -> None:
    async with gateway() as (client, _):
        response = await client.post(
            "/graphql",
            content=b'{"query": ',
            headers={"accept": accept, "content-type": "application/json"},
        )

    assert response.status_code == 400
    assert response.headers["content-type"] == accept
    assert response.json() == {
        "errors": [
            {
                "message": "Invalid GraphQL request",
                "extensions": {
                    "code": "INVALID_GRAPHQL_REQUEST",
                    "details": "Unable to parse request body as JSON",
                },
            }
        ]
    }


@pytest.mark.parametrize("body", [b"[1, 2]", b'"query"', b"{}", b'{"query": null}'])
async def test_a_body_without_a_query_is_a_400(accept: str, body: bytes) -> None:
    async with gateway() as (client, _):
        response = await client.post(
            "/graphql",
            content=body,
            headers={"accept": accept, "content-type": "application/json"},
        )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] in {
        "MISSING_QUERY_STRING",
        "INVALID_GRAPHQL_REQUEST",
    }


async def test_a_missing_query_names_the_problem(accept: str) -> None:
    async with gateway() as (client, _):
        response = await client.post("/graphql", json={}, headers={"accept": accept})

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "Must provide query string.",
                "extensions": {"code": "MISSING_QUERY_STRING"},
            }
        ]
    }


async def test_an_unsupported_content_type_is_415(accept: str) -> None:
    async with gateway() as (client, _):
        response = await client.post(
            "/graphql", content=QUERY, headers={"accept": accept, "content-type": "application/xml"}
        )

    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"] == {"code": "INVALID_CONTENT_TYPE_HEADER"}


async def test_other_methods_are_405(accept: str) -> None:
    async with gateway() as (client, _):
        response = await client.put("/graphql", json={"query": QUERY}, headers={"accept": accept})

    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"] == {"code": "METHOD_NOT_ALLOWED"}


async def test_a_failing_subgraph_gives_partial_data_with_200(accept: str) -> None:
    async with gateway(lambda _: httpx.Response(500)) as (client, _):
        response = await client.post("/graphql", json={"query": QUERY}, headers={"accept": accept})

    assert response.status_code == 200
    assert response.json() == {
        "data": {"product": None},
        "errors": [
            {
                "message": "HTTP fetch failed from 'products': 500 Internal Server Error",
                "path": ["product"],
                "extensions": {
                    "code": "SUBREQUEST_HTTP_ERROR",
                    "service": "products",
                    "http": {"status": 500},
                },
            }
        ],
    }


async def test_an_internal_error_is_logged_with_a_trace_id_and_never_leaked(
    accept: str, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_subgraph_client(_: httpx.Request) -> httpx.Response:
        raise ValueError("secret executor detail")

    with caplog.at_level(logging.ERROR, logger="gateway.server"):
        async with gateway(broken_subgraph_client) as (client, _):
            response = await client.post(
                "/graphql",
                json={"query": QUERY},
                headers={"accept": accept, "traceparent": TRACEPARENT},
            )

    # A valid request: the gateway's own failure is a failed execution, never a 500.
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Internal server error",
                "extensions": {
                    "code": "INTERNAL_SERVER_ERROR",
                    "traceId": "0af7651916cd43dd8448eb211c80319c",
                },
            }
        ],
    }
    assert "secret" not in response.text
    assert "0af7651916cd43dd8448eb211c80319c" in caplog.text
    assert "secret executor detail" in caplog.text


async def test_a_planner_failure_is_a_graphql_error_never_a_500(
    accept: str, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_planner(_: PreparedOperation, _labels: frozenset[str]) -> QueryPlan:
        raise ValueError("secret planner detail")

    with caplog.at_level(logging.ERROR, logger="gateway.server"):
        async with gateway(planner=broken_planner) as (client, _):
            response = await client.post(
                "/graphql",
                json={"query": QUERY},
                headers={"accept": accept, "traceparent": TRACEPARENT},
            )

    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "The gateway could not plan this operation.",
                "extensions": {
                    "code": "QUERY_PLANNING_FAILED",
                    "traceId": "0af7651916cd43dd8448eb211c80319c",
                },
            }
        ],
    }
    assert "secret" not in response.text
    assert "secret planner detail" in caplog.text
    assert QUERY in caplog.text


async def test_traceparent_is_forwarded_to_subgraphs() -> None:
    async with gateway() as (client, subgraphs):
        await client.post("/graphql", json={"query": QUERY}, headers={"traceparent": TRACEPARENT})

    assert subgraphs.headers["products"][0]["traceparent"] == TRACEPARENT


async def test_browsers_get_graphiql_when_it_is_on() -> None:
    async with gateway(config=GatewayConfig(graphiql=True)) as (client, _):
        response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_graphiql_is_off_by_default() -> None:
    async with gateway() as (client, _):
        response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 404


async def test_health_is_ok() -> None:
    async with gateway() as (client, _):
        response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
