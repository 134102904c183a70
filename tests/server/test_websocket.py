"""Queries over Strawberry's websocket protocol (graphql-transport-ws) reach the pipeline.

Starlette's TestClient needs a package this project does not install, so the ASGI websocket
conversation is driven by hand: two queues stand for the two directions of the socket.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson

from gateway.server import create_app
from tests.execution.harness import Subgraphs, supergraph
from tests.server.harness import products, single_fetch_planner


class Socket:
    def __init__(self) -> None:
        self.to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def send_json(self, message: dict[str, Any]) -> None:
        await self.to_app.put({"type": "websocket.receive", "text": orjson.dumps(message).decode()})

    async def receive(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.from_app.get(), timeout=5)

    async def receive_json(self) -> Any:
        message = await self.receive()
        return orjson.loads(message.get("text") or message["bytes"])


async def test_a_query_over_graphql_transport_ws() -> None:
    app = create_app(
        supergraph("products"),
        transport=httpx.MockTransport(Subgraphs({"products": products})),
        planner=single_fetch_planner,
    )
    socket = Socket()
    scope = {
        "type": "websocket",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "scheme": "ws",
        "query_string": b"",
        "headers": [(b"host", b"gateway")],
        "subprotocols": ["graphql-transport-ws"],
        "client": ("127.0.0.1", 1),
        "server": ("gateway", 80),
        "asgi": {"version": "3.0"},
    }
    await socket.to_app.put({"type": "websocket.connect"})
    running = asyncio.create_task(app(scope, socket.to_app.get, socket.from_app.put))
    try:
        accepted = await socket.receive()
        assert accepted["type"] == "websocket.accept"
        assert accepted["subprotocol"] == "graphql-transport-ws"
        await socket.send_json({"type": "connection_init"})
        assert await socket.receive_json() == {"type": "connection_ack"}
        await socket.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": '{ product(upc: "1") { name } }'}}
        )
        assert await socket.receive_json() == {
            "id": "1",
            "type": "next",
            "payload": {"data": {"product": {"name": "Table"}}},
        }
        assert await socket.receive_json() == {"id": "1", "type": "complete"}
        await socket.send_json(
            {"id": "2", "type": "subscribe", "payload": {"query": "{ product { name } }"}}
        )
        assert await socket.receive_json() == {
            "id": "2",
            "type": "error",
            "payload": [
                {
                    "message": "Argument 'Query.product(upc:)' of type 'String!' is required, "
                    "but it was not provided.",
                    "locations": [{"line": 1, "column": 3}],
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }
            ],
        }
    finally:
        await socket.to_app.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(running, timeout=5)
        await app.state.subgraph_client.aclose()
