"""`AsgiRouterTransport`: an httpx transport that serves each URL host from an in-process ASGI
app, so a gateway can reach several subgraphs without a network (tests, `switchboard dev`)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from starlette.types import ASGIApp


class AsgiRouterTransport(httpx.AsyncBaseTransport):
    def __init__(self, apps_by_host: Mapping[str, ASGIApp]) -> None:
        self._transports = {
            host: httpx.ASGITransport(app=app) for host, app in apps_by_host.items()
        }

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self._transports.get(request.url.host)
        if transport is None:
            raise httpx.ConnectError(f"no app mounted for host {request.url.host!r}")
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._transports.values():
            await transport.aclose()
