"""One attempt over real HTTP: no redirects followed, a bounded read, a time limit."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from subgraphs.apps.credentials import new_webhook_secret
from subgraphs.apps.webhooks.destinations import DestinationGuard
from subgraphs.apps.webhooks.http import MAX_RESPONSE_KEPT, Outgoing, WebhookClient
from tests.waiting import eventually, free_port

followed: list[str] = []


async def redirect(_request: Request) -> Response:
    return RedirectResponse("/followed", status_code=302)


async def followed_endpoint(request: Request) -> Response:
    followed.append(request.url.path)
    return PlainTextResponse("should never be reached")


async def endless(_request: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        while True:  # an answer that never ends: only the bound stops the read
            yield b"x" * 65536
            await asyncio.sleep(0)

    return StreamingResponse(chunks())


async def slow(_request: Request) -> Response:
    await asyncio.sleep(5)
    return PlainTextResponse("late")


APP = Starlette(
    routes=[
        Route("/redirect", redirect, methods=["POST"]),
        Route("/followed", followed_endpoint, methods=["GET", "POST"]),
        Route("/endless", endless, methods=["POST"]),
        Route("/slow", slow, methods=["POST"]),
    ]
)


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(APP, host="127.0.0.1", port=port, log_level="error"))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, seconds=10.0)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    server.force_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.fixture
async def client() -> AsyncIterator[WebhookClient]:
    client = WebhookClient(DestinationGuard(allowed_hosts={"127.0.0.1"}), timeout=0.5)
    yield client
    await client.aclose()


def outgoing(url: str) -> Outgoing:
    return Outgoing("msg_http", url, b"{}", [new_webhook_secret()])


async def test_a_redirect_is_a_failure_and_is_not_followed(
    base_url: str, client: WebhookClient
) -> None:
    attempted = await client.send(outgoing(f"{base_url}/redirect"))
    assert (attempted.status_code, attempted.error) == (302, "HTTP 302")
    assert not attempted.succeeded
    assert followed == []


async def test_an_endless_answer_is_read_up_to_the_bound(
    base_url: str, client: WebhookClient
) -> None:
    attempted = await client.send(outgoing(f"{base_url}/endless"))
    assert attempted.succeeded
    assert attempted.response_body == "x" * MAX_RESPONSE_KEPT


async def test_a_slow_endpoint_times_out(base_url: str, client: WebhookClient) -> None:
    attempted = await client.send(outgoing(f"{base_url}/slow"))
    assert attempted.status_code is None
    assert attempted.error == "no answer within 0.5 s"


async def test_a_refused_destination_is_an_attempt_that_failed(client: WebhookClient) -> None:
    attempted = await client.send(outgoing("https://10.0.0.1/hooks"))
    assert attempted.status_code is None
    assert attempted.error is not None
    assert attempted.error.startswith("refused destination:")
