"""The webhook tests' platform: the apps subgraph (seeded, on the test's backend), a sender on
its bus and database, and a real receiver on a local port."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from subgraphs.apps.subgraph import SUBGRAPH
from subgraphs.apps.webhooks.destinations import DestinationGuard, system_resolver
from subgraphs.apps.webhooks.schedule import RetrySchedule
from subgraphs.apps.webhooks.sender import SenderConfig, WebhookSender
from subgraphs.common.events import InMemoryEventBus
from subgraphs.common.principal import Principal
from tests.subgraphs.apps.webhooks.receiver import Received, Receiver, serving
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.harness import SubgraphHarness
from tests.waiting import eventually

# Hostnames the tests' resolver answers itself, as a hostile DNS server would.
STUB_DNS = {"metadata.example.test": ["169.254.169.254"], "intranet.example.test": ["10.0.0.1"]}
FAST_RETRIES = RetrySchedule.of_seconds(0, 0.05, 0.05, 0.05)

DELIVERIES = """
query($id: ID!, $status: DeliveryStatus, $eventType: String, $first: Int, $after: String) {
  app(id: $id) {
    webhookEndpoint { url status eventTypes failingSince disabledAt previousSecretExpiresAt }
    webhookDeliveries(first: $first, after: $after, status: $status, eventType: $eventType) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id eventType eventId status attemptCount payload
        attempts { attemptedAt statusCode latencyMs error responseBody }
      }
    }
  }
}
"""


async def stub_resolver(host: str, port: int) -> list[str]:
    if host in STUB_DNS:
        return STUB_DNS[host]
    return await system_resolver(host, port)


def sender_for(harness: SubgraphHarness, bus: InMemoryEventBus) -> WebhookSender:
    return WebhookSender(
        harness.database,
        bus,
        guard=DestinationGuard(allowed_hosts={"127.0.0.1"}, resolver=stub_resolver),
        config=SenderConfig(
            schedule=FAST_RETRIES, timeout=5.0, poll_interval=0.05, depth_interval=0.05
        ),
    )


@dataclass
class Platform:
    apps: SubgraphHarness
    bus: InMemoryEventBus
    receiver: Receiver
    url: str
    secret: str = ""

    def verified(self, delivery: Received, *secrets: str) -> bool:
        """Whether `delivery` verifies with each of `secrets` (the endpoint's current secret
        when none is given)."""
        return all(delivery.verifies_with(secret) for secret in secrets or (self.secret,))

    async def set_endpoint(self, app_id: str, owner: Principal, url: str | None = None) -> str:
        """Point the app's webhooks at the receiver; its new secret."""
        data = await self.apps.data(
            """mutation($id: ID!, $url: String!) {
              setAppWebhook(id: $id, url: $url) { webhookSecret }
            }""",
            {"id": app_id, "url": url or self.url},
            principal=owner,
        )
        self.secret = data["setAppWebhook"]["webhookSecret"]
        return self.secret

    async def delivered(self, app_id: str, principal: Principal, count: int) -> dict[str, Any]:
        """The log once `count` deliveries have SUCCEEDED (recorded after the receiver answered)."""
        log: dict[str, Any] = await eventually(
            lambda: self.log(app_id, principal, status="SUCCEEDED"),
            lambda log: len(log["webhookDeliveries"]["nodes"]) == count,
        )
        return log

    async def log(self, app_id: str, principal: Principal, **arguments: Any) -> dict[str, Any]:
        data = await self.apps.data(DELIVERIES, {"id": app_id, **arguments}, principal=principal)
        app: dict[str, Any] = data["app"]
        return app


@contextlib.asynccontextmanager
async def running(sender: WebhookSender, *, resume: bool = False) -> AsyncIterator[WebhookSender]:
    """The sender at work; `resume=False` starts it at the (in-memory) bus's beginning, as the
    first sender on a fresh bus does, `resume=True` from the position the others share."""
    task = asyncio.create_task(sender.run(resume=resume))
    try:
        yield sender
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def platform(
    make_harness: MakeHarness, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Platform]:
    # The development allow-list, which lets the mutations accept the receiver's http URL.
    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    bus = InMemoryEventBus()
    apps = await make_harness(SUBGRAPH, seed=True, bus=bus)
    receiver = Receiver()
    async with serving(receiver) as url, running(sender_for(apps, bus)):
        yield Platform(apps=apps, bus=bus, receiver=receiver, url=url)
