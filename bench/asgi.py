"""One GraphQL POST straight into an ASGI app, without a socket or an HTTP server.

The in-process benchmarks (`bench.transport`, `bench.cpu`) measure what the gateway's own code
costs per request; calling its app directly keeps the HTTP server's and the kernel's share out
of the figure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
App = Callable[
    [Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]


def request_scope(body: bytes, token: str | None = None) -> Message:
    """The scope of a JSON POST to /graphql, with a bearer token when one is given."""
    headers = [
        (b"host", b"127.0.0.1"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"accept", b"*/*"),
    ]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 4000),
        "state": {},
    }


async def post(app: App, body: bytes, token: str | None = None) -> tuple[int, bytes]:
    """One request through `app`: the status and the body it answered."""
    received = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal received
        if received:
            # The client stays until it has its answer: a listener for a disconnect waits.
            await asyncio.get_running_loop().create_future()
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(request_scope(body, token), receive, send)
    return status, b"".join(chunks)
