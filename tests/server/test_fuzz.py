"""Random requests against the gateway in process, over the platform's supergraph: whatever the
body, operation, variables or headers, the gateway never answers 500, never raises, and its
caches stay within their byte bounds.

Bodies are random bytes, random JSON, and GraphQL requests whose members have random types;
operations are random token soups and random selections of the API schema's fields (with
aliases, fragments, directives and variables); subgraphs answer data, errors, garbage or 500.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import orjson
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.execution import shape_plan
from gateway.server import GatewayConfig, create_app
from gateway.server.config import CachesConfig, LimitsConfig
from gateway.supergraph import Supergraph

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
CONFIG = GatewayConfig(
    introspection=True,
    caches=CachesConfig(operations_max_bytes=1_000_000, plans_max_bytes=1_000_000),
    limits=LimitsConfig(max_height=500, http_max_request_bytes=20_000),
)
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
SUBGRAPH_ANSWERS = [
    httpx.Response(200, json={"data": None, "errors": [{"message": "no", "path": ["x", 0]}]}),
    httpx.Response(200, content=b"not json"),
    httpx.Response(200, json={"data": {"_entities": [None, 1, "x"]}}),
    httpx.Response(200, json=[1, 2]),
    httpx.Response(500),
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def literal_for(type_: Any) -> str | None:
    named = get_named_type(type_)
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    if isinstance(named, GraphQLInputObjectType):
        return None
    return {"ID": '"x"', "String": '"x"', "Int": "1", "Float": "1.5", "Boolean": "true"}.get(
        named.name, '"x"'
    )


@st.composite
def selection_set(
    draw: st.DrawFn, schema: GraphQLSchema, type_: GraphQLObjectType, depth: int
) -> str:
    names = sorted(type_.fields)
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4))
    parts = []
    for index, name in enumerate(chosen):
        field = type_.fields[name]
        arguments = []
        for argument_name, argument in field.args.items():
            if isinstance(argument.type, GraphQLNonNull) or draw(st.booleans()):
                literal = literal_for(argument.type)
                if literal is None:
                    break
                arguments.append(f"{argument_name}: {literal}")
        else:
            text = f"a{index}: {name}" if draw(st.booleans()) else name
            if arguments:
                text += "(" + ", ".join(arguments) + ")"
            if draw(st.booleans()):
                text += draw(st.sampled_from([" @skip(if: $flag)", " @include(if: true)"]))
            inner = get_named_type(field.type)
            if isinstance(inner, GraphQLObjectType):
                if depth == 0:
                    continue
                text += " " + draw(selection_set(schema, inner, depth - 1))
            elif hasattr(inner, "fields") or hasattr(
                inner, "types"
            ):  # an interface or input: ask for its type name
                text += " { __typename }"
            parts.append(text)
    return "{ " + " ".join(parts or ["__typename"]) + " }"


@st.composite
def operations(draw: st.DrawFn, schema: GraphQLSchema) -> str:
    query_type = schema.query_type
    assert query_type is not None
    body = draw(selection_set(schema, query_type, 3))
    shape = draw(st.sampled_from(["plain", "named", "fragment", "fan"]))
    if shape == "named":
        return f"query Q($flag: Boolean = false) {body}"
    if shape == "fragment":
        return f"query Q($flag: Boolean) {{ ...F }} fragment F on Query {body}"
    if shape == "fan":
        levels = draw(st.integers(2, 30))
        fragments = [f"fragment F0 on Query {body}"] + [
            f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)
        ]
        return f"query Q($flag: Boolean) {{ ...F{levels - 1} }} " + " ".join(fragments)
    return body


TOKENS = [
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "...",
    "on",
    "query",
    "fragment",
    "F",
    ":",
    "$v",
    "@skip",
    "listings",
    "apps",
    "app",
    "id",
    "name",
    '"s"',
    "1",
    "__schema",
    "__typename",
    "mutation",
    "subscription",
    "!",
    "=",
    "#",
    "\n",
    "\\u0000",
    '"""',
    "$",
]


def request_bodies(schema: GraphQLSchema) -> st.SearchStrategy[bytes]:
    queries = operations(schema) | st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join)
    members = st.fixed_dictionaries(
        {"query": queries | queries | queries | json_values},
        optional={
            "operationName": st.sampled_from(["Q", "Q", "F", ""])
            | st.sampled_from(["Q", "Q", "F", ""])
            | json_values,
            "variables": st.dictionaries(st.sampled_from(["flag", "v", "x"]), json_values)
            | st.dictionaries(st.sampled_from(["flag", "v", "x"]), json_values)
            | json_values,
            "extensions": st.dictionaries(st.text(max_size=8), json_values, max_size=2)
            | json_values,
        },
    )
    return (
        members.map(orjson.dumps)
        | members.map(orjson.dumps)
        | members.map(orjson.dumps)
        | json_values.map(orjson.dumps)
        | st.binary(max_size=200)
        | st.just(b"{" * 10_000)
        | st.just(
            b'{"query": "{ __typename }", "variables": {"x": 123456789012345678901234567890}}'
        )
    )


odd_headers = st.fixed_dictionaries(
    {},
    optional={
        "content-type": st.sampled_from(
            ["application/json", "text/plain", "application/graphql-response+json", "x/y; q=1", ""]
        ),
        "accept": st.sampled_from(
            ["*/*", "application/graphql-response+json", "text/html", "application/json;q=0", ";;,"]
        ),
        "apollo-require-preflight": st.just("1"),
    },
)
# Mostly what a client sends, so most requests get as far as GraphQL.
headers = (
    st.just({"content-type": "application/json"})
    | st.just({"content-type": "application/json", "accept": GRAPHQL_RESPONSE_JSON})
    | st.just({"apollo-require-preflight": "1", "content-type": "application/json"})
    | odd_headers
)


def test_random_requests_never_get_a_500_and_the_caches_stay_bounded() -> None:
    supergraph = Supergraph.from_sdl(SUPERGRAPH.read_text(encoding="utf-8"))
    answer = {"index": 0}

    def subgraphs(_: httpx.Request) -> httpx.Response:
        return SUBGRAPH_ANSWERS[answer["index"]]

    app = create_app(supergraph, config=CONFIG, transport=httpx.MockTransport(subgraphs))
    state = app.state.pipeline.state
    plans = state.planner.__self__  # the PlanCache behind the default planner
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        body=request_bodies(supergraph.api_schema),
        request_headers=headers,
        method=st.sampled_from(["POST", "POST", "POST", "GET"]),
        subgraph_answer=st.integers(0, len(SUBGRAPH_ANSWERS) - 1),
    )
    def check(
        body: bytes, request_headers: dict[str, str], method: str, subgraph_answer: int
    ) -> None:
        answer["index"] = subgraph_answer
        if method == "GET":
            request = client.get(
                "/graphql", params={"query": body.decode(errors="replace")}, headers=request_headers
            )
        else:
            request = client.post("/graphql", content=body, headers=request_headers)
        response = loop.run_until_complete(request)
        assert response.status_code != 500, response.text
        assert response.status_code < 500 or response.status_code == 503
        assert state.operations.bytes <= state.operations.max_bytes
        assert plans.bytes <= plans.max_bytes
        assert shape_plan.cached_bytes() <= 2 * shape_plan.MAX_BYTES

    try:
        check()
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(app.state.subgraph_client.aclose())
        loop.close()
