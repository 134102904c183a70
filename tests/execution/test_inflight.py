"""In-flight deduplication in `HttpSubgraphClient`: identical queries in flight at once share one
exchange; different headers, mutations, or the switch turned off never do; a shared failure
reaches every waiter; a waiter that leaves does not take the exchange from the others.

The subgraph holds every answer until the test releases it, so the requests are in flight at
the same moment for certain."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson
import pytest

from gateway.execution import HttpSubgraphClient, SubgraphFetchError
from gateway.execution.client import SubgraphRequest, SubgraphResponse
from tests.execution.harness import Graph

PRODUCTS = Graph("products", "http://products/graphql")
QUERY = "{topProducts{upc name}}"
ANSWER = {"data": {"topProducts": [{"upc": "1", "name": "Table"}]}}


class HeldSubgraph:
    """Records each request as it arrives and answers only once `release` is set."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.release = asyncio.Event()
        self.cancelled = 0
        self.answer = answer or (lambda _: httpx.Response(200, json=ANSWER))

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        return self.answer(request)


def held_client(subgraph: HeldSubgraph, *, deduplicate: bool = True) -> HttpSubgraphClient:
    return HttpSubgraphClient(
        transport=httpx.MockTransport(subgraph), deduplicate_queries=deduplicate
    )


async def settle() -> None:
    """Lets every started fetch reach the subgraph (or join one that did)."""
    for _ in range(20):
        await asyncio.sleep(0)


async def fetch_all(
    client: HttpSubgraphClient, subgraph: HeldSubgraph, *requests: SubgraphRequest
) -> list[SubgraphResponse | BaseException]:
    tasks = [asyncio.create_task(client.fetch(PRODUCTS, request)) for request in requests]
    await settle()
    subgraph.release.set()
    return await asyncio.gather(*tasks, return_exceptions=True)


def authorized(token: str, **headers: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", **headers}


async def test_identical_queries_in_flight_share_one_request() -> None:
    subgraph = HeldSubgraph()
    client = held_client(subgraph)
    request = SubgraphRequest(QUERY, headers=authorized("alice"))
    first, second, third = await fetch_all(client, subgraph, request, request, request)
    await client.aclose()

    assert len(subgraph.requests) == 1
    assert first == second == third == SubgraphResponse(data=ANSWER["data"])
    # Each waiter decoded its own copy: the executor merges answers in place.
    assert isinstance(first, SubgraphResponse)
    assert isinstance(second, SubgraphResponse)
    assert first.data is not second.data
    assert client.inflight is not None
    assert len(client.inflight) == 0
    # What operation collapsing's counts read (`gateway/server/collapse.py`): one exchange
    # started, two answered from it.
    assert (client.inflight.started, client.inflight.shared) == (1, 2)


async def test_a_request_after_the_answer_goes_out_again() -> None:
    subgraph = HeldSubgraph()
    subgraph.release.set()
    client = held_client(subgraph)
    request = SubgraphRequest(QUERY)
    await client.fetch(PRODUCTS, request)
    await client.fetch(PRODUCTS, request)
    await client.aclose()

    assert len(subgraph.requests) == 2
    assert client.inflight is not None
    assert (client.inflight.started, client.inflight.shared) == (2, 0)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(authorized("alice"), authorized("bob"), id="two principals"),
        pytest.param(authorized("alice"), {}, id="token and anonymous"),
        pytest.param(
            authorized("alice", **{"x-tenant": "a"}),
            authorized("alice", **{"x-tenant": "b"}),
            id="a propagated header",
        ),
    ],
)
async def test_requests_with_different_headers_never_share(
    first: dict[str, str], second: dict[str, str]
) -> None:
    subgraph = HeldSubgraph(
        lambda request: httpx.Response(
            200, json={"data": {"me": request.headers.get("authorization")}}
        )
    )
    client = held_client(subgraph)
    answers = await fetch_all(
        client,
        subgraph,
        SubgraphRequest("{me}", headers=first),
        SubgraphRequest("{me}", headers=second),
    )
    await client.aclose()

    assert len(subgraph.requests) == 2
    assert answers == [
        SubgraphResponse(data={"me": first.get("authorization")}),
        SubgraphResponse(data={"me": second.get("authorization")}),
    ]


async def test_trace_context_alone_does_not_tell_requests_apart() -> None:
    subgraph = HeldSubgraph()
    client = held_client(subgraph)
    trace = "00-{:032x}-{:016x}-01"
    answers = await fetch_all(
        client,
        subgraph,
        SubgraphRequest(QUERY, headers=authorized("alice", traceparent=trace.format(1, 1))),
        SubgraphRequest(QUERY, headers=authorized("alice", traceparent=trace.format(2, 2))),
    )
    await client.aclose()

    assert len(subgraph.requests) == 1
    assert answers == [SubgraphResponse(data=ANSWER["data"])] * 2


async def test_different_variables_or_operations_never_share() -> None:
    subgraph = HeldSubgraph()
    client = held_client(subgraph)
    await fetch_all(
        client,
        subgraph,
        SubgraphRequest(QUERY, variables={"first": 1}),
        SubgraphRequest(QUERY, variables={"first": 2}),
        SubgraphRequest(QUERY, operation_name="Other"),
        SubgraphRequest("{topProducts{upc}}"),
    )
    await client.aclose()

    assert [orjson.loads(request.content) for request in subgraph.requests] == [
        {"query": QUERY, "variables": {"first": 1}},
        {"query": QUERY, "variables": {"first": 2}},
        {"query": QUERY, "operationName": "Other"},
        {"query": "{topProducts{upc}}"},
    ]


async def test_mutations_are_never_shared() -> None:
    subgraph = HeldSubgraph(lambda _: httpx.Response(200, json={"data": {"addReview": None}}))
    client = held_client(subgraph)
    mutation = SubgraphRequest('mutation{addReview(upc:"1",body:"ok"){id}}', idempotent=False)
    answers = await fetch_all(client, subgraph, mutation, mutation)
    await client.aclose()

    assert len(subgraph.requests) == 2
    assert answers == [SubgraphResponse(data={"addReview": None})] * 2


async def test_turned_off_every_request_goes_out() -> None:
    subgraph = HeldSubgraph()
    client = held_client(subgraph, deduplicate=False)
    request = SubgraphRequest(QUERY)
    await fetch_all(client, subgraph, request, request)
    await client.aclose()

    assert len(subgraph.requests) == 2
    assert client.inflight is None


Failing = Callable[[httpx.Request], httpx.Response]


def http_500(_: httpx.Request) -> httpx.Response:
    return httpx.Response(500)


def refused(_: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("Connection refused")


@pytest.mark.parametrize(
    ("answer", "message", "extensions"),
    [
        pytest.param(
            http_500,
            "HTTP fetch failed from 'products': 500 Internal Server Error",
            {"code": "SUBREQUEST_HTTP_ERROR", "service": "products", "http": {"status": 500}},
            id="HTTP 500",
        ),
        pytest.param(
            refused,
            "HTTP fetch failed from 'products': Connection refused",
            {"code": "SUBREQUEST_HTTP_ERROR", "service": "products"},
            id="connection refused",
        ),
    ],
)
async def test_a_failed_shared_request_fails_every_waiter(
    answer: Failing, message: str, extensions: dict[str, Any]
) -> None:
    subgraph = HeldSubgraph(answer)
    client = held_client(subgraph)
    request = SubgraphRequest(QUERY)
    answers = await fetch_all(client, subgraph, request, request, request)
    await client.aclose()

    assert len(subgraph.requests) == 1
    assert len(answers) == 3
    for failure in answers:
        assert isinstance(failure, SubgraphFetchError)
        assert failure.error(["topProducts"]) == {
            "message": message,
            "path": ["topProducts"],
            "extensions": extensions,
        }


async def test_a_timeout_of_the_shared_request_fails_every_waiter() -> None:
    subgraph = HeldSubgraph()  # never released: the 50 ms timeout ends it
    client = HttpSubgraphClient(transport=httpx.MockTransport(subgraph), timeout_seconds=0.05)
    request = SubgraphRequest(QUERY)
    answers = await asyncio.gather(
        client.fetch(PRODUCTS, request), client.fetch(PRODUCTS, request), return_exceptions=True
    )
    await client.aclose()

    assert len(subgraph.requests) == 1
    assert [
        failure.message if isinstance(failure, SubgraphFetchError) else failure
        for failure in answers
    ] == ["Request to subgraph 'products' timed out after 50 ms"] * 2


async def cancel(task: Awaitable[Any]) -> None:
    assert isinstance(task, asyncio.Task)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_cancelled_waiter_leaves_the_shared_request_to_the_others() -> None:
    subgraph = HeldSubgraph()
    client = held_client(subgraph)
    request = SubgraphRequest(QUERY)
    leader = asyncio.create_task(client.fetch(PRODUCTS, request))
    follower = asyncio.create_task(client.fetch(PRODUCTS, request))
    await settle()
    await cancel(leader)  # the one whose fetch started the exchange
    await settle()
    subgraph.release.set()
    answer = await follower
    await client.aclose()

    assert answer == SubgraphResponse(data=ANSWER["data"])
    assert len(subgraph.requests) == 1
    assert subgraph.cancelled == 0


async def test_the_shared_request_is_cancelled_when_every_waiter_left() -> None:
    subgraph = HeldSubgraph()
    client = held_client(subgraph)
    request = SubgraphRequest(QUERY)
    first = asyncio.create_task(client.fetch(PRODUCTS, request))
    second = asyncio.create_task(client.fetch(PRODUCTS, request))
    await settle()
    await cancel(first)
    await cancel(second)
    await settle()

    assert subgraph.cancelled == 1
    assert client.inflight is not None
    assert len(client.inflight) == 0
    # The next request is not handed the cancelled exchange: it goes out and is answered.
    subgraph.release.set()
    answer = await client.fetch(PRODUCTS, request)
    await client.aclose()

    assert answer == SubgraphResponse(data=ANSWER["data"])
    assert len(subgraph.requests) == 2


async def test_a_request_arriving_while_a_cancelled_exchange_winds_down_goes_out_afresh(
    caplog: pytest.LogCaptureFixture,
) -> None:
    subgraph = HeldSubgraph()
    client = held_client(subgraph)
    request = SubgraphRequest(QUERY)
    only = asyncio.create_task(client.fetch(PRODUCTS, request))
    await settle()
    await cancel(only)
    # At once, before the cancelled exchange has finished: it is forgotten already.
    assert client.inflight is not None
    assert len(client.inflight) == 0
    subgraph.release.set()
    answer = await client.fetch(PRODUCTS, request)
    await client.aclose()

    assert answer == SubgraphResponse(data=ANSWER["data"])
    assert len(subgraph.requests) == 2
    assert subgraph.cancelled == 1
    # The cancelled exchange ends quietly: no error from asyncio about it.
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []
