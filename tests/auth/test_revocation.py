"""Revocation reaches every replica: two gateways follow the platform's bus (in memory, and
Redis Streams through `auth.events_url`) and refuse revoked tokens as the events arrive."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest
import redis.asyncio as redis

from gateway.auth import AuthConfig, Authenticator, Revocations
from gateway.server import GatewayConfig, create_app
from subgraphs.common.events import EventBus, EventType, InMemoryEventBus
from subgraphs.common.redis_bus import DEFAULT_BLOCK_MS, RedisEventBus
from tests.auth.harness import platform_supergraph
from tests.conftest import REDIS_URL, unavailable
from tests.issuer import TestIssuer
from tests.waiting import eventually

# How long a replica may take to apply an event, at most: a follower whose read failed tries
# again after one blocking read and its socket's margin (`RedisEventBus.from_url`), twice over
# for a machine busy with other suites. Only a bound: a healthy run takes milliseconds.
FOLLOWING = 2 * (DEFAULT_BLOCK_MS / 1000 + 5)


@dataclass
class Replicas:
    publisher: EventBus
    clients: list[httpx.AsyncClient]
    issuer: TestIssuer

    async def statuses(self, token: str) -> list[int]:
        headers = {"authorization": f"Bearer {token}"}
        return [
            (
                await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
            ).status_code
            for client in self.clients
        ]


@pytest.fixture(params=["memory", "redis"])
async def replicas(request: pytest.FixtureRequest) -> AsyncIterator[Replicas]:
    issuer = TestIssuer()
    async with AsyncExitStack() as stack:
        shared: InMemoryEventBus | None = None
        config = GatewayConfig()
        if request.param == "memory":
            shared = InMemoryEventBus()
            publisher: EventBus = shared
        else:
            client = redis.Redis.from_url(REDIS_URL)
            try:
                await client.ping()
            except (OSError, redis.RedisError) as error:
                await client.aclose()
                unavailable("Redis", error)
            stream = f"test:revocation:{uuid.uuid4().hex}"
            publisher = RedisEventBus(client, stream=stream)
            stack.push_async_callback(client.aclose)
            stack.push_async_callback(client.delete, stream, f"{stream}:last-id")
            config = GatewayConfig(auth=AuthConfig(events_url=REDIS_URL, events_stream=stream))
        clients = []
        for _ in range(2):
            app = create_app(
                platform_supergraph(),
                config=config,
                authenticator=Authenticator(issuer.verifier(), Revocations()),
                events=shared,
            )
            await stack.enter_async_context(app.router.lifespan_context(app))
            clients.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
                    )
                )
            )
        yield Replicas(publisher, clients, issuer)


async def test_grant_revoked_reaches_every_replica(replicas: Replicas) -> None:
    issuer = replicas.issuer
    revoked = issuer.token(app="app_1", installation="inst_1", jti="jti-revoked")
    same_installation = issuer.token(app="app_1", installation="inst_1")
    elsewhere = issuer.token(app="app_1", installation="inst_2")
    assert await replicas.statuses(revoked) == [200, 200]

    await replicas.publisher.publish(
        EventType.GRANT_REVOKED,
        {"installation_id": "inst_1", "jtis": ["jti-revoked"], "client_id": "app_1"},
    )
    # Pushed, not polled: the event reaches each replica as it is published (no timing is
    # asserted here; `eventually` only bounds the wait).
    await eventually(
        lambda: replicas.statuses(revoked), lambda found: found == [401, 401], seconds=FOLLOWING
    )
    assert await replicas.statuses(same_installation) == [401, 401]
    assert await replicas.statuses(elsewhere) == [200, 200]
    # A token issued after the revocation (the installation was granted again) is accepted.
    later = issuer.token(app="app_1", installation="inst_1", issued_at=time.time() + 2)
    assert await replicas.statuses(later) == [200, 200]


async def test_installation_removed_refuses_its_tokens(replicas: Replicas) -> None:
    token = replicas.issuer.token(app="app_1", installation="inst_9", workspace="ws_1")
    await replicas.publisher.publish(
        EventType.INSTALLATION_REMOVED,
        {"installation_id": "inst_9", "app_id": "app_1", "workspace_id": "ws_1"},
        installation_id="inst_9",
    )
    await eventually(
        lambda: replicas.statuses(token), lambda found: found == [401, 401], seconds=FOLLOWING
    )


def test_old_revocations_are_forgotten() -> None:
    now = [10_000.0]
    revocations = Revocations(clock=lambda: now[0])
    event = SimpleNamespace(
        type="grant.revoked",
        payload={"jtis": ["a"], "installation_id": "inst_1"},
        occurred_at=datetime.fromtimestamp(now[0], UTC),
    )
    revocations.apply(event)
    assert len(revocations) == 2
    now[0] += 3600
    revocations.apply(
        SimpleNamespace(type="grant.revoked", payload={}, occurred_at=event.occurred_at)
    )
    assert len(revocations) == 0
