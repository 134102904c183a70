"""`AnswerWhenCancelled`: a request still running when the shutdown grace period ends gets a
503 with a coded GraphQL error, not a cut connection.

On SIGTERM uvicorn stops accepting connections, closes idle ones and waits up to
`timeout_graceful_shutdown` for requests in flight. The gateway's grace period is at least
its longest subgraph timeout (`GatewayConfig.shutdown_grace_seconds`), so a request whose
fetches are each bounded by that timeout normally finishes. One that does not (a long
sequence of slow fetches) is cancelled by uvicorn; this middleware answers it then, as
uvicorn would otherwise send a bare text 500.
"""

from __future__ import annotations

import asyncio

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SHUTTING_DOWN = "SHUTTING_DOWN"
BODY = orjson.dumps(
    {
        "errors": [
            {
                "message": "The gateway is shutting down; retry the request",
                "extensions": {"code": SHUTTING_DOWN},
            }
        ]
    }
)


class AnswerWhenCancelled:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except asyncio.CancelledError:
            if started:
                raise
            # The task was cancelled once; answering it is the last thing it does.
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(BODY)).encode()),
                        (b"retry-after", b"1"),
                        (b"connection", b"close"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": BODY})
