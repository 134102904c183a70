"""A sender process killed mid-queue and started again loses nothing and delivers nothing twice:
`python -m subgraphs.apps.webhooks` on Redis Streams and the apps database, SIGKILLed while
deliveries are in flight, while more events are published, then restarted."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from subgraphs.apps.subgraph import SUBGRAPH
from subgraphs.apps.webhooks import consumer, queue
from subgraphs.common.database import Database
from subgraphs.common.redis_bus import RedisEventBus
from subgraphs.common.server import prepare_database
from subgraphs.demo.world import world
from tests.conftest import REDIS_URL, TEST_DATABASE_URL, unavailable
from tests.subgraphs.apps.conftest import app_with_status, owner_of
from tests.subgraphs.apps.webhooks.receiver import Receiver, serving
from tests.subgraphs.harness import SubgraphHarness
from tests.waiting import eventually, free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[4]
BATCH = 2
UPDATE = """mutation($id: ID!, $description: String!) {
  updateApp(id: $id, input: {description: $description}) { id }
}"""


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database the sender process can reach by URL alone: a SQLite file, or a PostgreSQL
    database of its own."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'apps.db'}"
        return
    dsn = TEST_DATABASE_URL.replace("postgresql+asyncpg://", "postgresql://")
    try:
        admin = await asyncpg.connect(dsn)
    except (OSError, asyncpg.PostgresError) as error:
        unavailable("PostgreSQL", error)
    name = f"t_webhooks_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield dsn.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


@contextlib.contextmanager
def sender_process(
    database_url: str, stream: str, *arguments: str
) -> Iterator[subprocess.Popen[bytes]]:
    environment = {
        **os.environ,
        "EVENT_BUS": "redis",
        "REDIS_URL": REDIS_URL,
        "EVENT_STREAM": stream,
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    }
    command = [sys.executable, "-m", "subgraphs.apps.webhooks", "--database-url", database_url]
    # The receiver answers at once (or holds until released, after the kill), so no delivery
    # should time out: a one-second timeout did when the pytest process answering was slow
    # (traced by coverage on a loaded machine), and the retry counted as a repeat. The killed
    # sender's claims lapse after twice the timeout (its lease), well within the wait below.
    command += ["--timeout", "5", "--batch-size", str(BATCH), "--retry-delays", "0,0.1,0.1"]
    command += arguments
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def scrape(url: str) -> dict[tuple[str, ...], float]:
    """The samples a Prometheus server would read at `url`, keyed by name and label values."""
    text = httpx.get(url, timeout=5).text
    return {
        (sample.name, *sample.labels.values()): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def stored_position(database: Database) -> int | None:
    async with database.engine.connect() as connection:
        value = await connection.scalar(sa.select(consumer.CURSORS.c.last_event_id))
    return None if value is None else int(value)


async def deliveries(database: Database) -> list[tuple[str, str, int]]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            sa.select(
                queue.DELIVERIES.c.id, queue.DELIVERIES.c.status, queue.DELIVERIES.c.attempt_count
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_killed_sender_resumes_without_loss_or_repeat(
    database_url: str, redis_stream: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    database = Database(database_url)
    bus = RedisEventBus.from_url(REDIS_URL, stream=redis_stream, block_ms=200)
    apps = SubgraphHarness(SUBGRAPH, database, bus)  # type: ignore[arg-type]
    # Three deliveries are answered; the next ones wait until the first sender is killed, so
    # it is killed with deliveries in flight and most events unsent, however slow the machine.
    receiver = Receiver(hold_after=3)
    app = app_with_status(world(), "PUBLISHED")
    owner = owner_of(app)
    try:
        await prepare_database(SUBGRAPH, database, seed=True)
        async with serving(receiver) as url:
            await apps.data(
                "mutation($id: ID!, $url: String!) { setAppWebhook(id: $id, url: $url) { id } }",
                {"id": app.id, "url": url},
                principal=owner,
            )
            with sender_process(database_url, redis_stream) as first:
                # Its first start records the bus's newest id: it delivers from then on.
                await eventually(
                    lambda: stored_position(database), lambda p: p is not None, seconds=30
                )
                for number in range(12):
                    await apps.data(
                        UPDATE, {"id": app.id, "description": f"early {number}"}, principal=owner
                    )
                await eventually(receiver.accepted, lambda found: len(found) >= 3, seconds=30)
                first.send_signal(signal.SIGKILL)
                first.wait(timeout=10)
            assert len(receiver.received) == 3
            receiver.release()
            # Events published while no sender runs wait on the bus.
            for number in range(6):
                await apps.data(
                    UPDATE, {"id": app.id, "description": f"late {number}"}, principal=owner
                )
            done_before = sum(row[1] == "SUCCEEDED" for row in await deliveries(database))
            metrics_port = free_port()
            with sender_process(database_url, redis_stream, "--metrics-port", str(metrics_port)):
                await eventually(
                    lambda: deliveries(database),
                    lambda rows: len(rows) == 18 and all(row[1] == "SUCCEEDED" for row in rows),
                    seconds=60,
                )
                await asyncio.sleep(0.2)  # nothing more may come
                scraped = scrape(f"http://127.0.0.1:{metrics_port}/metrics")
            # The restarted sender's own attempts: every delivery the first left unfinished.
            assert scraped[("switchboard_webhook_attempts_total", "succeeded", "SUCCEEDED")] == (
                18 - done_before
            )
            assert ("switchboard_webhook_attempts_total", "failed", "PENDING") not in scraped
            assert ("switchboard_webhook_queue_depth",) in scraped

        rows = await deliveries(database)
        accepted = receiver.accepted()
        delivered = sorted(request.data["description"] for request in accepted)
        expected = sorted([f"early {n}" for n in range(12)] + [f"late {n}" for n in range(6)])
        assert sorted(set(delivered)) == expected  # nothing lost
        assert {request.message_id for request in accepted} == {row[0] for row in rows}
        # The only repeats are attempts in flight at the kill, and they keep their webhook-id.
        repeats = len(receiver.received) - len({r.message_id for r in receiver.received})
        assert repeats <= BATCH
        # The killed sender never recorded its attempts in flight: one success per delivery.
        assert all(attempts == 1 for _id, _status, attempts in rows)
    finally:
        await apps.aclose()
        await bus.close()
        await database.dispose()
