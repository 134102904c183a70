"""Talk to one subgraph's ASGI app in process, as the gateway would over HTTP: a principal is
sent as an access token from the test issuer, which the subgraph verifies."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import httpx

from subgraphs.common.database import Database
from subgraphs.common.events import Event, EventBus, EventType, InMemoryEventBus
from subgraphs.common.principal import ANONYMOUS, Principal
from subgraphs.common.server import Subgraph, create_app
from subgraphs.common.tokens import TokenAuthentication
from tests.issuer import TestIssuer

ISSUER = TestIssuer()


def token_headers(principal: Principal, issuer: TestIssuer = ISSUER) -> dict[str, str]:
    """The `Authorization` header of a token that says `principal`; none when anonymous."""
    if principal == ANONYMOUS:
        return {}
    return issuer.headers(
        app=principal.app_id,
        installation=principal.installation_id,
        workspace=principal.workspace_id,
        org=principal.organization_id,
        sub=principal.user_id,
        scopes=principal.scopes,
    )


def trusting_test_issuer(issuer: TestIssuer = ISSUER) -> TokenAuthentication:
    """Subgraphs under test trust the test issuer, with its keys in hand."""
    return TokenAuthentication.with_keys(issuer.issuer, issuer.key_source())


@dataclass
class SubgraphHarness:
    subgraph: Subgraph
    database: Database
    bus: EventBus
    _client: httpx.AsyncClient = field(init=False)

    def __post_init__(self) -> None:
        app = create_app(self.subgraph, self.database, self.bus, trusting_test_issuer())
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://subgraph"
        )

    @property
    def http(self) -> httpx.AsyncClient:
        """The in-process HTTP client, for the subgraph's routes beside /graphql."""
        return self._client

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        principal: Principal = ANONYMOUS,
    ) -> dict[str, Any]:
        """The whole response body (`data` and `errors`)."""
        response = await self._client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=token_headers(principal),
        )
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        principal: Principal = ANONYMOUS,
    ) -> dict[str, Any]:
        """`data` of a response that must have no errors."""
        body = await self.execute(query, variables, principal=principal)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def errors(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        principal: Principal = ANONYMOUS,
    ) -> list[dict[str, Any]]:
        body = await self.execute(query, variables, principal=principal)
        assert body.get("errors"), body
        errors: list[dict[str, Any]] = body["errors"]
        return errors

    async def sdl(self) -> str:
        return str((await self.data("{ _service { sdl } }"))["_service"]["sdl"])

    async def aclose(self) -> None:
        await self._client.aclose()


async def published(bus: EventBus) -> list[Event]:
    """Every event on `bus` so far, oldest first, read back as a consumer reads them."""
    latest = await bus.latest_id()
    events: list[Event] = []
    if latest == 0:
        return events
    async with contextlib.aclosing(bus.subscribe(after=0)) as replay:
        async for event in replay:
            events.append(event)
            if event.id >= latest:
                break
    return events


@dataclass
class FlakyBus(InMemoryEventBus):
    """An in-memory bus that raises while `down` (or on publish call number `fail_at`), and
    yields to other tasks on every publish, as a networked bus would."""

    down: bool = False
    fail_at: int | None = None
    calls: int = 0

    async def publish(self, type: EventType, payload: dict[str, Any], **ids: Any) -> Event:
        self.calls += 1
        await asyncio.sleep(0)
        if self.down or self.calls == self.fail_at:
            raise ConnectionError("the bus is down")
        return await super().publish(type, payload, **ids)
