"""The websocket protocol handlers and adapter, alone: a client gone while an event is being sent
to it."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Mapping
from typing import Any, cast

import pytest
from starlette.websockets import WebSocketDisconnected as SentAfterClose
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.types import ExecutionResult

from gateway.subscriptions.websocket import QuietLegacyHandler, TextFrames


class GoneClient:
    """A websocket adapter whose client went away: every send fails as Strawberry's do."""

    def __init__(self) -> None:
        self.sends = 0

    async def send_json(self, message: Mapping[str, object]) -> None:
        self.sends += 1
        raise WebSocketDisconnected


class TwoEvents:
    """A schema whose subscriptions yield two events."""

    async def subscribe(self, **_: Any) -> AsyncGenerator[ExecutionResult, None]:
        async def events() -> AsyncGenerator[ExecutionResult, None]:
            yield ExecutionResult(data={"ticks": {"id": "1"}}, errors=None)
            yield ExecutionResult(data={"ticks": {"id": "2"}}, errors=None)

        return events()


async def test_legacy_graphql_ws_ends_quietly_when_the_client_left_mid_send(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, schema = GoneClient(), TwoEvents()
    handler = QuietLegacyHandler(
        cast(Any, None), cast(Any, client), None, None, cast(Any, schema), False, None
    )
    with caplog.at_level(logging.DEBUG):
        # Strawberry's handler lets the failed send end this task with an exception nobody
        # awaits (logged as "Task exception was never retrieved"); this one returns.
        await handler.handle_async_results("1", "subscription { ticks { id } }", None, None)
    assert client.sends == 1
    assert handler.tasks == {}
    assert handler.subscriptions == {}
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


class ClosedSocket:
    """Starlette's websocket after its close frame went out: a send raises."""

    async def send_text(self, data: str) -> None:
        raise SentAfterClose('Cannot call "send" once a close message has been sent.')


class JsonView:
    def encode_json(self, message: object) -> bytes:
        return b"{}"


async def test_a_send_after_the_close_is_the_client_gone_to_the_handlers() -> None:
    # Seen at the end of a benchmark: an event on its way while the client closed. Starlette's
    # own "sent after close" error reached Strawberry's task logger as "Exception in worker
    # task", with a traceback, once per subscriber.
    frames = TextFrames(cast(Any, JsonView()), cast(Any, None), cast(Any, ClosedSocket()))
    with pytest.raises(WebSocketDisconnected):
        await frames.send_json({"type": "next"})
