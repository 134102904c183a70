"""A webhook receiver as an integration would run it: a Starlette app served by uvicorn on a
local port, whose deliveries the tests verify with the `standardwebhooks` library (an
implementation of the spec independent of ours). It keeps each request as it came, since the
secret it must verify with is known only once `setAppWebhook` has answered."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.waiting import eventually, free_port


@dataclass(frozen=True)
class Received:
    message_id: str
    event_type: str
    data: dict[str, Any]
    headers: dict[str, str]
    body: bytes
    answered: int

    def verifies_with(self, secret: str) -> bool:
        try:
            Webhook(secret).verify(self.body, self.headers)
        except WebhookVerificationError:
            return False
        return True


@dataclass
class Receiver:
    """Records every request; answers 500 to the first `fail_first` of each message id. With
    `hold_after`, requests after that many wait unanswered until `release()`: a sender is
    then caught mid-batch, however fast it runs."""

    fail_first: int = 0
    delay: float = 0.0
    hold_after: int | None = None
    received: list[Received] = field(default_factory=list)
    _tries: dict[str, int] = field(default_factory=dict)
    _entered: int = 0
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self._released.set()

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hooks", self._receive, methods=["POST"])])

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        message_id = headers.get("webhook-id", "")
        tries = self._tries.get(message_id, 0) + 1
        self._tries[message_id] = tries
        self._entered += 1
        if self.hold_after is not None and self._entered > self.hold_after:
            await self._released.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        status = 500 if tries <= self.fail_first else 200
        document = json.loads(body)
        self.received.append(
            Received(message_id, document["type"], document["data"], headers, body, status)
        )
        return PlainTextResponse("nope" if status == 500 else "ok", status_code=status)

    def accepted(self) -> list[Received]:
        return [delivery for delivery in self.received if delivery.answered == 200]


SHUTDOWN_SECONDS = 5


@contextlib.asynccontextmanager
async def serving(receiver: Receiver) -> AsyncIterator[str]:
    """The receiver on a free local port; yields its endpoint URL. Its shutdown waits at most
    `SHUTDOWN_SECONDS` for requests still open (a sender cancelled mid-delivery may leave
    one), instead of uvicorn's default of waiting for ever."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            receiver.app(),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        )
    )
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, seconds=10.0)
    try:
        yield f"http://127.0.0.1:{port}/hooks"
    finally:
        server.should_exit = True
        await task
