"""`HttpSubgraphClient`'s answers to what a subgraph sends back, through an injected transport:
each failure is the client-safe error the client reads (docs/design/engine.md's table)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.execution import HttpSubgraphClient, SubgraphFetchError, SubgraphRequest
from tests.execution.harness import Graph

PRODUCTS = Graph("products", "http://products/graphql")
REQUEST = SubgraphRequest("{ hello }")


async def failure_of(handler: httpx.MockTransport) -> SubgraphFetchError:
    client = HttpSubgraphClient(transport=handler)
    try:
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(PRODUCTS, REQUEST)
    finally:
        await client.aclose()
    return raised.value


@pytest.mark.parametrize(
    "body", [b"[]", b'"data"', b"null", b"{}", b'{"data": null}', b'{"errors": "no"}']
)
async def test_an_answer_without_data_or_errors_is_malformed(body: bytes) -> None:
    failure = await failure_of(httpx.MockTransport(lambda _: httpx.Response(200, content=body)))

    assert failure.error(["hello"]) == {
        "message": "Subgraph response from 'products' was malformed: no data or errors",
        "path": ["hello"],
        "extensions": {"code": "SUBREQUEST_MALFORMED_RESPONSE", "service": "products"},
    }


async def test_a_socket_error_without_a_message_is_named_by_its_type() -> None:
    def aborted(_: httpx.Request) -> httpx.Response:
        raise ConnectionAbortedError

    failure = await failure_of(httpx.MockTransport(aborted))

    assert failure.message == "HTTP fetch failed from 'products': ConnectionAbortedError"
    assert failure.extensions == {"code": "SUBREQUEST_HTTP_ERROR", "service": "products"}


async def test_a_timeout_of_the_transport_is_reported_with_the_subgraphs_timeout() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    failure = await failure_of(httpx.MockTransport(slow))

    assert failure.message == "Request to subgraph 'products' timed out after 30000 ms"
    assert failure.extensions == {"code": "SUBREQUEST_TIMEOUT", "service": "products"}


async def test_a_transport_error_without_a_message_is_named_by_its_type() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("", request=request)

    failure = await failure_of(httpx.MockTransport(refused))

    assert failure.message == "HTTP fetch failed from 'products': ConnectError"


async def test_a_status_from_300_up_is_an_http_error_whatever_the_body() -> None:
    def redirect(_: httpx.Request) -> httpx.Response:
        return httpx.Response(300, json={"data": {"hello": "world"}})

    failure = await failure_of(httpx.MockTransport(redirect))

    assert failure.error(None) == {
        "message": "HTTP fetch failed from 'products': 300 Multiple Choices",
        "extensions": {
            "code": "SUBREQUEST_HTTP_ERROR",
            "service": "products",
            "http": {"status": 300},
        },
    }


async def test_a_status_just_under_300_is_a_response() -> None:
    answer = {"data": {"hello": "world"}}
    client = HttpSubgraphClient(
        transport=httpx.MockTransport(lambda _: httpx.Response(299, json=answer))
    )
    try:
        response = await client.fetch(PRODUCTS, REQUEST)
    finally:
        await client.aclose()

    assert response.data == {"hello": "world"}


def chunked(body: bytes, size: int) -> httpx.MockTransport:
    """A transport answering `body` in chunks of `size` bytes."""

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), size):
            yield body[start : start + size]

    return httpx.MockTransport(lambda _: httpx.Response(200, content=chunks()))


ANSWER = b'{"data": {"hello": "world"}}'


@pytest.mark.parametrize("limit", [len(ANSWER), len(ANSWER) + 1])
async def test_an_answer_in_chunks_up_to_the_size_limit_is_read(limit: int) -> None:
    client = HttpSubgraphClient(transport=chunked(ANSWER, 5), max_response_bytes=limit)
    try:
        response = await client.fetch(PRODUCTS, REQUEST)
    finally:
        await client.aclose()

    assert response.data == {"hello": "world"}


async def test_an_answer_in_chunks_over_the_size_limit_is_refused() -> None:
    client = HttpSubgraphClient(transport=chunked(ANSWER, 5), max_response_bytes=len(ANSWER) - 1)
    try:
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(PRODUCTS, REQUEST)
    finally:
        await client.aclose()

    limit = len(ANSWER) - 1
    assert raised.value.message == (
        f"Subgraph response from 'products' is larger than the limit of {limit} bytes"
    )
    assert raised.value.extensions == {
        "code": "SUBREQUEST_RESPONSE_TOO_LARGE",
        "service": "products",
    }


async def test_an_endless_answer_is_cut_at_the_size_limit() -> None:
    async def endless() -> AsyncIterator[bytes]:
        while True:
            await asyncio.sleep(0)
            yield b" " * 100

    client = HttpSubgraphClient(
        transport=httpx.MockTransport(lambda _: httpx.Response(200, content=endless())),
        max_response_bytes=10_000,
        timeout_seconds=5,
    )
    try:
        with pytest.raises(SubgraphFetchError) as raised:
            await client.fetch(PRODUCTS, REQUEST)
    finally:
        await client.aclose()

    # Read as it arrives and given up at the limit, not read to the end first.
    assert raised.value.extensions["code"] == "SUBREQUEST_RESPONSE_TOO_LARGE"
