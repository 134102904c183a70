"""The gateway under uvicorn, over real sockets: slow clients are cut off, too many connections
are shed with 503, and on shutdown requests in flight finish or get a proper answer."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from gateway.operation import PreparedOperation
from gateway.planning.nodes import QueryPlan, Sequence
from gateway.server import GatewayConfig, create_app
from gateway.server.config import ServerConfig, SubgraphsConfig
from gateway.server.http_protocol import GuardedHttpToolsProtocol
from gateway.server.runner import connection_options
from tests.execution.harness import Subgraphs, supergraph
from tests.server.harness import products, single_fetch_planner
from tests.waiting import eventually, free_port

QUERY = '{ product(upc: "1") { upc name } }'


@contextmanager
def serving(
    config: GatewayConfig, handler: Any = products, planner: Any = None
) -> Iterator[tuple[int, uvicorn.Server]]:
    """`switchboard serve`'s connection settings around the test harness's app, in a thread."""
    app = create_app(
        supergraph("products"),
        config=config,
        transport=httpx.MockTransport(Subgraphs({"products": handler})),
        planner=planner or single_fetch_planner,
    )
    GuardedHttpToolsProtocol.configure(
        config.server.header_read_timeout_ms / 1000, config.server.max_head_bytes
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", **connection_options(config)
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            threading.Event().wait(0.01)
        yield port, server
    finally:
        server.should_exit = True
        thread.join(30)
        GuardedHttpToolsProtocol.configure(10.0, 64 * 1024)


async def still_open(connections: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]) -> int:
    open_count = 0
    for reader, _ in connections:
        try:
            data = await asyncio.wait_for(reader.read(1024), 0.01)
        except TimeoutError:
            open_count += 1  # nothing to read and not closed
            continue
        if data and not data.startswith(b"HTTP/1.1 408"):
            open_count += 1
    return open_count


async def test_slowloris_connections_are_closed_after_the_header_deadline() -> None:
    config = GatewayConfig(server=ServerConfig(header_read_timeout_ms=500))
    with serving(config) as (port, _):
        connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(50)]
        for _, writer in connections:
            writer.write(b"POST /graphql HTTP/1.1\r\nhost: gateway\r\n")  # never finished
            await writer.drain()
        for _, writer in connections[:25]:  # a header line now and then does not help
            writer.write(b"x-slow: 1\r\n")
            await writer.drain()

        # Without the deadline, uvicorn keeps every one of them open for good.
        await eventually(lambda: still_open(connections), lambda count: count == 0, seconds=5)
        async with httpx.AsyncClient() as client:
            response = await client.post(f"http://127.0.0.1:{port}/graphql", json={"query": QUERY})
        for _, writer in connections:
            writer.close()

    assert response.json() == {"data": {"product": {"upc": "1", "name": "Table"}}}


async def test_an_oversized_request_head_is_refused_with_431() -> None:
    with serving(GatewayConfig(server=ServerConfig(max_head_bytes=4096))) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /health HTTP/1.1\r\nhost: g\r\nx-big: " + b"a" * 10_000 + b"\r\n\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 5)
        writer.close()

    assert answer.startswith(b"HTTP/1.1 431")


async def test_connections_beyond_the_limit_are_shed_with_503() -> None:
    config = GatewayConfig(server=ServerConfig(max_connections=5))
    with serving(config) as (port, server):
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(5)]
        # Connected is not yet accepted: the server (its own thread, slow on a busy machine)
        # counts a connection once it has taken it from the listening socket.
        await eventually(
            lambda: len(server.server_state.connections), lambda count: count == 5, seconds=10
        )
        async with httpx.AsyncClient() as client:
            shed = await client.post(f"http://127.0.0.1:{port}/graphql", json={"query": QUERY})
            for _, writer in idle:
                writer.close()
            # The server frees the closed connections' places as it notices them.
            served = await eventually(
                lambda: client.post(f"http://127.0.0.1:{port}/graphql", json={"query": QUERY}),
                lambda response: response.status_code == 200,
            )

    assert shed.status_code == 503
    assert served.status_code == 200


IN_FLIGHT = threading.Event()


def slow_subgraph(seconds: float) -> Any:
    async def answer(body: dict[str, Any]) -> dict[str, Any]:
        IN_FLIGHT.set()
        await asyncio.sleep(seconds)
        return products(body)

    return answer


async def shut_down_during_a_request(port: int, server: uvicorn.Server) -> httpx.Response:
    """A request in flight when the server is told to exit (what SIGTERM does); its answer."""
    IN_FLIGHT.clear()
    async with httpx.AsyncClient() as client:
        request = asyncio.create_task(
            client.post(f"http://127.0.0.1:{port}/graphql", json={"query": QUERY})
        )
        # Once the gateway is fetching from the subgraph, the request is in flight.
        assert await asyncio.to_thread(IN_FLIGHT.wait, 10)
        server.should_exit = True
        return await request


async def test_on_shutdown_a_request_in_flight_finishes() -> None:
    config = GatewayConfig(subgraphs=SubgraphsConfig(timeout_ms=2000))
    with serving(config, slow_subgraph(0.5)) as (port, server):
        response = await shut_down_during_a_request(port, server)

    assert response.json() == {"data": {"product": {"upc": "1", "name": "Table"}}}


@pytest.mark.parametrize("grace_ms", [300])
async def test_a_request_outliving_the_grace_period_gets_a_503(grace_ms: int) -> None:
    def two_slow_fetches(operation: PreparedOperation, labels: frozenset[str]) -> QueryPlan:
        fetch = single_fetch_planner(operation, labels).node
        assert fetch is not None
        return QueryPlan(Sequence((fetch, fetch, fetch)))

    # Each fetch is within the subgraph timeout; three of them outlive the grace period.
    config = GatewayConfig(
        subgraphs=SubgraphsConfig(timeout_ms=grace_ms),
        server=ServerConfig(shutdown_grace_ms=grace_ms),
    )
    assert config.shutdown_grace_seconds == grace_ms / 1000
    with serving(config, slow_subgraph(0.25), two_slow_fetches) as (port, server):
        response = await shut_down_during_a_request(port, server)

    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"] == {"code": "SHUTTING_DOWN"}


def test_the_grace_period_is_never_shorter_than_the_subgraph_timeout() -> None:
    config = GatewayConfig(
        subgraphs=SubgraphsConfig(timeout_ms=30_000, timeouts_ms={"metrics": 45_000}),
        server=ServerConfig(shutdown_grace_ms=1000),
    )

    assert config.shutdown_grace_seconds == 45
    assert GatewayConfig().shutdown_grace_seconds == 35
