"""Revocation reaches every replica: two gateways follow the platform's bus (in memory, and
Redis Streams through `auth.events_url`) and refuse revoked tokens as the events arrive."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import redis.asyncio as redis

from gateway.auth import AuthConfig, Authenticator, Principal, Revocations
from gateway.auth import revocation as revocation_module
from gateway.auth.revocation import (
    GRANT_REVOKED,
    INSTALLATION_REMOVED,
    RETENTION_SECONDS,
    REVOCATION_EVENTS,
)
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


NOW = 1_900_000_000.0


def revocation(
    type: str, at: float, *, installation: str | None = "inst_1", jtis: Any = None
) -> SimpleNamespace:
    payload: dict[str, Any] = {}
    if installation is not None:
        payload["installation_id"] = installation
    if jtis is not None:
        payload["jtis"] = jtis
    return SimpleNamespace(
        type=type, payload=payload, occurred_at=datetime.fromtimestamp(at, UTC), id=None
    )


def caller(
    installation: str | None = "inst_1", issued_at: float = NOW - 10, jti: str = "t"
) -> Principal:
    return Principal(installation_id=installation, issued_at=issued_at, token_id=jti)


def test_only_revocation_events_revoke_and_the_latest_revocation_counts() -> None:
    now = [NOW]
    revocations = Revocations(clock=lambda: now[0])
    # An installation made (or anything else that names one) revokes nothing.
    revocations.apply(revocation("installation.created", NOW - 5))
    assert not revocations.is_revoked(caller())
    revocations.apply(revocation(GRANT_REVOKED, NOW - 5))
    assert revocations.is_revoked(caller(issued_at=NOW - 5))  # within the event's second
    assert not revocations.is_revoked(caller(issued_at=NOW - 4))  # granted again after it
    # An older revocation arriving late does not move the line back.
    revocations.apply(revocation(INSTALLATION_REMOVED, NOW - 100))
    assert revocations.is_revoked(caller(issued_at=NOW - 6))
    assert not revocations.is_revoked(caller(installation="inst_2"))
    assert not revocations.is_revoked(caller(installation=None))


def test_revoked_token_ids_are_read_from_a_list_of_strings_only() -> None:
    revocations = Revocations(clock=lambda: NOW)
    revocations.apply(revocation(GRANT_REVOKED, NOW, installation=None, jtis=["a", 7]))
    revocations.apply(revocation(GRANT_REVOKED, NOW, installation=None, jtis="b"))
    # The token's own id is refused, whatever installation it names or when it was issued.
    assert revocations.is_revoked(caller(installation="other", issued_at=NOW + 5, jti="a"))
    assert not revocations.is_revoked(caller(installation="other", jti="b"))
    assert len(revocations) == 1
    # A grant revoked names token ids for one event type only.
    revocations.apply(revocation(INSTALLATION_REMOVED, NOW, installation=None, jtis=["c"]))
    assert not revocations.is_revoked(caller(installation="other", jti="c"))


def test_an_event_older_than_any_live_token_is_ignored() -> None:
    revocations = Revocations(clock=lambda: NOW)
    revocations.apply(revocation(GRANT_REVOKED, NOW - RETENTION_SECONDS - 1, jtis=["old"]))
    assert len(revocations) == 0
    revocations.apply(revocation(GRANT_REVOKED, NOW - RETENTION_SECONDS, jtis=["edge"]))
    assert len(revocations) == 2


def test_entries_are_kept_while_a_token_could_live_and_pruned_at_most_once_a_minute() -> None:
    now = [NOW]
    revocations = Revocations(clock=lambda: now[0])
    revocations.apply(revocation(GRANT_REVOKED, NOW, jtis=["a"]))
    revocations.apply(revocation(GRANT_REVOKED, NOW + 100, installation="inst_2", jtis=["b"]))
    assert len(revocations) == 4

    def tick(at: float) -> int:
        now[0] = at
        revocations.apply(revocation("installation.created", at, installation=None))
        return len(revocations)

    # Until the end of the first entries' retention a token they refuse could still live.
    assert tick(NOW + RETENTION_SECONDS - 1) == 4
    # Expired since, but pruned at most once a minute: not yet.
    assert tick(NOW + RETENTION_SECONDS + 30) == 4
    # A minute after the last prune: the first event's entries go, the second's stay.
    assert tick(NOW + RETENTION_SECONDS + 59) == 2
    assert revocations.is_revoked(caller(installation="inst_2", issued_at=NOW, jti="b"))


def test_an_entry_is_forgotten_at_the_end_of_its_retention() -> None:
    now = [NOW]
    revocations = Revocations(clock=lambda: now[0])
    revocations.apply(revocation(GRANT_REVOKED, NOW, jtis=["a"]))
    now[0] = NOW + RETENTION_SECONDS
    revocations.apply(revocation("installation.created", now[0], installation=None))
    assert len(revocations) == 0


class FailingOnce:
    """A bus whose first stream breaks after one event; records each subscription."""

    def __init__(self) -> None:
        self.subscriptions: list[tuple[Any, Any]] = []

    async def subscribe(self, *, types: Any = None, after: Any = None) -> AsyncIterator[Any]:
        self.subscriptions.append((types, after))
        if len(self.subscriptions) == 1:
            event = revocation(GRANT_REVOKED, time.time(), installation="inst_a")
            event.id = 41
            yield event
            raise ConnectionError("the bus went away")
        event = revocation(GRANT_REVOKED, time.time(), installation="inst_b")
        event.id = 42
        yield event
        await asyncio.Event().wait()


async def test_a_follower_resubscribes_after_the_last_event_it_applied(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(revocation_module, "RETRY_SECONDS", 0.0)
    revocations = Revocations()
    bus = FailingOnce()
    follower = asyncio.create_task(revocations.follow(bus))
    try:
        await eventually(lambda: len(bus.subscriptions), lambda count: count == 2)
        await eventually(lambda: len(revocations), lambda count: count == 2)
    finally:
        follower.cancel()
        with pytest.raises(asyncio.CancelledError):
            await follower
    assert bus.subscriptions == [(REVOCATION_EVENTS, 0), (REVOCATION_EVENTS, 41)]
    assert [record.getMessage() for record in caplog.records if record.name == "gateway.auth"] == [
        "revocation events: the bus failed; resubscribing"
    ]
    assert revocations.is_revoked(caller(installation="inst_a", issued_at=0))


class FailingWhenCancelled:
    """A bus whose stream read, cancelled, surfaces as a connection error (as a Redis read
    cut mid-reply can); records each subscription."""

    def __init__(self) -> None:
        self.subscriptions: list[tuple[Any, Any]] = []
        self.reading = asyncio.Event()

    async def subscribe(self, *, types: Any = None, after: Any = None) -> AsyncIterator[Any]:
        self.subscriptions.append((types, after))
        self.reading.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError as error:
            raise ConnectionError("the read was cut") from error
        yield  # pragma: no cover - never reached: the read above never returns


async def test_a_follower_cancelled_during_a_read_that_fails_ends(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(revocation_module, "RETRY_SECONDS", 0.0)
    bus = FailingWhenCancelled()
    follower = asyncio.create_task(Revocations().follow(bus))
    await asyncio.wait_for(bus.reading.wait(), 5)
    follower.cancel()
    # Ending takes one turn of the loop; a follower that resubscribed would read forever.
    await asyncio.wait({follower}, timeout=5)
    try:
        assert follower.cancelled()
    finally:
        follower.cancel()
    assert bus.subscriptions == [(REVOCATION_EVENTS, 0)]
    assert not [record for record in caplog.records if record.name == "gateway.auth"]
