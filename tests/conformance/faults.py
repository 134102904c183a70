"""ASGI wrappers that make a healthy subgraph misbehave the way real ones do.

Each wraps a subgraph's ASGI app (so the subgraph still parses and validates what the gateway
sends, and a wrong plan still fails) and changes only what goes back over the wire. They run
under uvicorn for the Apollo reference runs and under `httpx.ASGITransport` in the suite.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Rewrite = Callable[[dict[str, Any]], dict[str, Any]]


async def _collect(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, bytes]:
    """Run `app` to completion and return its status and body."""
    status = 500
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    return status, b"".join(chunks)


async def _answer(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _is_graphql_post(scope: Scope) -> bool:
    return scope["type"] == "http" and scope.get("method") == "POST"


def fixed_response(
    app: ASGIApp, *, status: int, body: bytes, content_type: str = "application/json"
) -> ASGIApp:
    """Answer every GraphQL POST with `status` and `body`, after the subgraph has run it."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_graphql_post(scope):
            await app(scope, receive, send)
            return
        await _collect(app, scope, receive)
        await _answer(send, status, body, content_type)

    return wrapped


def http_error(app: ASGIApp, status: int = 500) -> ASGIApp:
    """A 5xx with a JSON body that is not a GraphQL response (as a crashed proxy sends)."""
    return fixed_response(app, status=status, body=b'{"message":"internal error"}')


def malformed_json(app: ASGIApp) -> ASGIApp:
    """Status 200 with a body that is not JSON at all."""
    return fixed_response(app, status=200, body=b"<html>oops</html>", content_type="text/html")


def json_without_data(app: ASGIApp) -> ASGIApp:
    """Status 200 with JSON that has neither `data` nor `errors`."""
    return fixed_response(app, status=200, body=b'{"result":"ok"}')


def rewrite_data(app: ASGIApp, rewrite: Rewrite) -> ASGIApp:
    """Let the subgraph answer, then pass its JSON body through `rewrite` (e.g. to put a value
    of the wrong type where the schema promises another)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_graphql_post(scope):
            await app(scope, receive, send)
            return
        status, body = await _collect(app, scope, receive)
        changed = json.dumps(rewrite(json.loads(body))).encode()
        await _answer(send, status, changed, "application/json")

    return wrapped
