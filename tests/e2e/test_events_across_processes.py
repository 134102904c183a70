"""Events between processes, as in production: the four subgraphs, each its own process on a
PostgreSQL database of its own, all on one Redis stream (`EVENT_BUS=redis`), the webhook sender
beside them and the gateway in front, all started at once as `docker compose up` starts them.

One app's life, driven through the gateway, crosses every process boundary the platform has:
created and published in the apps process, it gets a listing in the marketplace process and an
owner in the metrics process, and becomes installable in the installs process, each from the apps
subgraph's events on Redis; its installation (an event of the installs process) reaches a
subscriber through the gateway, with fields of the apps and marketplace processes, and the app's
webhook endpoint through the sender process, signed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis
import yaml

from subgraphs.common.principal import ADMIN_SCOPE
from subgraphs.common.redis_bus import RedisEventBus
from subgraphs.demo.world import world
from tests.conftest import REDIS_URL, TEST_DATABASE_URL, unavailable
from tests.e2e.test_processes import SUBGRAPHS, SWITCHBOARD
from tests.issuer import TestIssuer
from tests.subgraphs.apps.webhooks.receiver import Receiver, serving
from tests.subscriptions.clients import sse_events
from tests.waiting import eventually, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
ADMIN_SCOPES = {ADMIN_SCOPE, "apps:write", "apps:read", "installs:write", "installs:read"}
# Generous for a machine busy with other suites; a healthy run needs a fraction of it.
STARTUP_SECONDS = 60
EVENT_SECONDS = 20


@dataclass
class Production:
    issuer: TestIssuer
    stream: str
    gateway_url: str
    databases: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log_tails(self) -> str:
        """The last lines each process wrote, for a failure's message."""
        parts = []
        for name in self.processes:
            lines = (self.logs / f"{name}.log").read_text(errors="replace").splitlines()
            parts.append(f"--- {name} ---\n" + "\n".join(lines[-15:]))
        return "\n".join(parts)


def admin_dsn() -> str:
    return TEST_DATABASE_URL.replace("postgresql+asyncpg://", "postgresql://")


async def create_databases(names: list[str]) -> None:
    try:
        admin = await asyncpg.connect(admin_dsn())
    except (OSError, asyncpg.PostgresError) as error:
        unavailable("PostgreSQL", error)
    try:
        for name in names:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop_databases(names: list[str]) -> None:
    """At once: each drop waits for a checkpoint (seconds on a busy disk), and drops waiting
    together share one."""

    async def drop(name: str) -> None:
        admin = await asyncpg.connect(admin_dsn())
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    await asyncio.gather(*(drop(name) for name in names))


def wait_until_healthy(production: Production, urls: dict[str, str]) -> None:
    """Every process answers its health check; one that exits or stays silent fails the run
    with what each process logged."""
    deadline = time.monotonic() + STARTUP_SECONDS
    waiting = dict(urls)
    while waiting:
        for name, url in list(waiting.items()):
            process = production.processes[name]
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {process.returncode}\n{production.log_tails()}"
                )
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    del waiting[name]
            except httpx.TransportError:
                pass
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{sorted(waiting)} not healthy after {STARTUP_SECONDS} s\n"
                + production.log_tails()
            )
        time.sleep(0.05)


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        unavailable("Redis", error)
    run = uuid.uuid4().hex[:12]
    names = {name: f"t_e2e_{name}_{run}" for name in SUBGRAPHS}
    asyncio.run(create_databases(list(names.values())))
    base = admin_dsn().rsplit("/", 1)[0]
    databases = {name: f"{base}/{database}" for name, database in names.items()}
    logs = tmp_path_factory.mktemp("production")
    stream = f"test:e2e:{run}"
    with TestIssuer().serve() as issuer:
        ports = {name: free_port() for name in [*SUBGRAPHS, "gateway", "webhooks"]}
        production = Production(
            issuer, stream, f"http://127.0.0.1:{ports['gateway']}/graphql", databases, logs
        )
        environment = {
            **os.environ,
            "SWITCHBOARD_ISSUER": issuer.issuer,
            "EVENT_BUS": "redis",
            "REDIS_URL": REDIS_URL,
            "EVENT_STREAM": stream,
            # Webhooks to the test's receiver on this machine (refused in production).
            "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
            # The month of usage history is not needed and slow to seed.
            "SWITCHBOARD_SEED_USAGE_DAYS": "0",
        }
        config = logs / "switchboard.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "override_subgraph_url": {
                        name: f"http://127.0.0.1:{ports[name]}/graphql" for name in SUBGRAPHS
                    },
                    "auth": {
                        "issuers": [{"issuer": issuer.issuer}],
                        "events_url": REDIS_URL,
                        "events_stream": stream,
                    },
                    "subgraphs": {"timeout_ms": 10_000},
                }
            )
        )
        commands = {
            name: [sys.executable, "-m", f"subgraphs.{name}", "--port", str(ports[name]), "--seed"]
            for name in SUBGRAPHS
        }
        # The sender migrates the apps database too, at the same moment as the apps process.
        commands["webhooks"] = [
            sys.executable, "-m", "subgraphs.apps.webhooks",
            "--retry-delays", "0.1,0.1", "--timeout", "5",
            "--metrics-port", str(ports["webhooks"]),
        ]  # fmt: skip
        commands["gateway"] = [
            str(SWITCHBOARD), "serve",
            "--supergraph", "schema/supergraph.graphql",
            "--config", str(config),
            "--port", str(ports["gateway"]),
        ]  # fmt: skip
        started = time.monotonic()
        try:
            for name, command in commands.items():
                database = databases.get("apps" if name == "webhooks" else name)
                with (logs / f"{name}.log").open("wb") as log:
                    production.processes[name] = subprocess.Popen(
                        command,
                        cwd=ROOT,
                        env={**environment, **({"DATABASE_URL": database} if database else {})},
                        stdout=subprocess.DEVNULL,
                        stderr=log,
                    )
            health = {name: f"http://127.0.0.1:{ports[name]}/health" for name in SUBGRAPHS}
            health["gateway"] = f"http://127.0.0.1:{ports['gateway']}/health"
            health["webhooks"] = f"http://127.0.0.1:{ports['webhooks']}/metrics"
            wait_until_healthy(production, health)
            print(f"\nproduction started in {time.monotonic() - started:.1f} s")
            yield production
        finally:
            for process in production.processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in production.processes.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            client = redis.Redis.from_url(REDIS_URL)
            client.delete(stream, f"{stream}:last-id")
            client.close()
            dropping = time.monotonic()
            asyncio.run(drop_databases(list(names.values())))
            print(f"databases dropped in {time.monotonic() - dropping:.1f} s")


class Gateway:
    """The gateway, as the test's callers reach it."""

    def __init__(self, production: Production, http: httpx.AsyncClient) -> None:
        self.production = production
        self.http = http

    async def post(self, query: str, token: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post(
            self.production.gateway_url,
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, token: str, **variables: Any) -> dict[str, Any]:
        body = await self.post(query, token, **variables)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


async def webhook_position(production: Production) -> int | None:
    """Where the sender process stands on the bus: none before its first start is recorded."""
    connection = await asyncpg.connect(production.databases["apps"])
    try:
        value = await connection.fetchval(
            "SELECT last_event_id FROM webhook_cursor WHERE consumer = 'webhooks'"
        )
    except asyncpg.UndefinedTableError:
        return None  # not migrated yet
    finally:
        await connection.close()
    return None if value is None else int(value)


async def latest_event_id(production: Production) -> int:
    bus = RedisEventBus.from_url(REDIS_URL, stream=production.stream)
    try:
        return await bus.latest_id()
    finally:
        await bus.close()


CREATE = """mutation($input: CreateAppInput!) { createApp(input: $input) { id status } }"""
SET_WEBHOOK = """mutation($id: ID!, $url: String!) {
  setAppWebhook(id: $id, url: $url) { id webhookSecret }
}"""
LISTED = """query($slug: String!) {
  appBySlug(slug: $slug) { status listing { visible app { name } } }
}"""
INSTALL = """mutation($input: InstallAppInput!) {
  installApp(input: $input) { id status grantedScopes }
}"""
RECORD = (
    """mutation($records: [UsageRecordInput!]!) { recordUsage(records: $records) { recorded } }"""
)
RECORDS = """query($appId: ID!) { usageRecords(appId: $appId, first: 5) { totalCount } }"""
EVENTS = """subscription($after: ID) {
  installationEvents(after: $after) {
    id type grantedScopes
    installation { id }
    app { name listing { visible } }
  }
}"""


async def test_an_app_published_in_one_process_is_acted_on_by_every_other(
    production: Production,
) -> None:
    started = time.monotonic()
    issuer = production.issuer
    demo = world()
    organization = demo.organizations[0]
    workspace = demo.workspaces[0]
    admin = issuer.token(sub="user_admin", scopes=ADMIN_SCOPES)
    slug = f"relay-{uuid.uuid4().hex[:8]}"
    receiver = Receiver()
    async with (
        httpx.AsyncClient(timeout=30) as http,
        serving(receiver) as hook_url,
    ):
        gateway = Gateway(production, http)
        # The sender delivers what is published after its first start: wait for that start.
        await eventually(
            lambda: webhook_position(production), lambda p: p is not None, seconds=EVENT_SECONDS
        )

        created = await gateway.data(
            CREATE,
            admin,
            input={
                "name": "Incident Relay",
                "slug": slug,
                "organizationId": organization.id,
                "description": "Relays incidents between teams.",
                "redirectUris": ["https://relay.example.com/callback"],
                "requestedScopes": ["installs:read", "events:subscribe"],
            },
        )
        app_id = created["createApp"]["id"]
        assert created["createApp"]["status"] == "DRAFT"
        hooked = await gateway.data(SET_WEBHOOK, admin, id=app_id, url=hook_url)
        secret = hooked["setAppWebhook"]["webhookSecret"]

        # Metrics (its own process and database) learns the app's owner from the apps
        # process's event: the owner organization's members read the app's usage, once some
        # is recorded.
        ingest = issuer.token(sub="switchboard-gateway", scopes={"metrics:ingest"})
        record = {
            "time": "2026-12-01T12:00:00+00:00",
            "operationHash": "e2e",
            "durationMs": 12.5,
            "appId": app_id,
            "operationName": "Relay",
        }
        stored = await gateway.data(RECORD, ingest, records=[record])
        assert stored["recordUsage"]["recorded"] == 1
        member = issuer.token(sub="user_member", org=organization.id, scopes={"metrics:read"})
        stranger_org = next(org for org in demo.organizations if org.id != organization.id)
        stranger = issuer.token(sub="user_other", org=stranger_org.id, scopes={"metrics:read"})

        async def usage_records(token: str) -> int:
            data = await gateway.data(RECORDS, token, appId=app_id)
            count: int = data["usageRecords"]["totalCount"]
            return count

        assert await eventually(
            lambda: usage_records(member), lambda n: n == 1, seconds=EVENT_SECONDS
        )
        assert await usage_records(stranger) == 0

        # A draft is neither listed nor installable; published, it is both.
        for step in ("submitAppForReview", "publishApp"):
            await gateway.data(f'mutation {{ {step}(id: "{app_id}") {{ status }} }}', admin)

        async def listed() -> dict[str, Any]:
            found: dict[str, Any] = (await gateway.data(LISTED, admin, slug=slug))["appBySlug"]
            return found

        app = await eventually(
            listed, lambda found: found["listing"] is not None, seconds=EVENT_SECONDS
        )
        assert app == {
            "status": "PUBLISHED",
            "listing": {"visible": True, "app": {"name": "Incident Relay"}},
        }

        before_install = await latest_event_id(production)
        install = {"appId": app_id, "workspaceId": workspace.id, "scopes": ["installs:read"]}

        async def try_install() -> dict[str, Any]:
            return await gateway.post(INSTALL, admin, input=install)

        # The installs process knows the app once its replica applied the publication.
        answer = await eventually(
            try_install, lambda body: "errors" not in body, seconds=EVENT_SECONDS
        )
        installation = answer["data"]["installApp"]
        assert installation["status"] == "ACTIVE"
        assert installation["grantedScopes"] == ["installs:read"]

        # The app's own subscriber, through the gateway: the installation's event, from the
        # installs process, with the app's name from apps and its listing from marketplace.
        app_token = issuer.token(app=app_id, sub=app_id, scopes={"events:subscribe"})
        headers = {"authorization": f"Bearer {app_token}", "accept": "text/event-stream"}
        body = {"query": EVENTS, "variables": {"after": str(before_install)}}
        async with http.stream(
            "POST", production.gateway_url, json=body, headers=headers
        ) as response:
            assert response.status_code == 200
            stream = sse_events(response)
            event = await asyncio.wait_for(anext(stream), EVENT_SECONDS)
            await stream.aclose()
        assert event.event == "next"
        assert event.payload is not None
        assert "errors" not in event.payload, event.payload
        assert event.payload["data"]["installationEvents"] == {
            "id": event.id,
            "type": "CREATED",
            "grantedScopes": ["installs:read"],
            "installation": {"id": installation["id"]},
            "app": {"name": "Incident Relay", "listing": {"visible": True}},
        }
        assert int(event.id or 0) > before_install

        # The app's webhook endpoint, through the sender process, signed with the app's secret.
        def installation_created(received: list[Any]) -> bool:
            return any(hook.event_type == "installation.created" for hook in received)

        await eventually(receiver.accepted, installation_created, seconds=EVENT_SECONDS)
        delivered = next(
            hook for hook in receiver.accepted() if hook.event_type == "installation.created"
        )
        assert delivered.verifies_with(secret)
        assert delivered.data["installation_id"] == installation["id"]
    # Every process is still serving: none lost a race at startup (the sender and apps
    # migrate one database) or died on an event since.
    exited = {
        name: p.returncode for name, p in production.processes.items() if p.poll() is not None
    }
    assert exited == {}, production.log_tails()
    print(f"\nthe app's life across processes took {time.monotonic() - started:.1f} s")
