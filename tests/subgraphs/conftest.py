"""Subgraph test harness: every subgraph test runs on SQLite and on PostgreSQL; tests of events
(outbox, consumers, event flow) also on each bus, in memory and Redis Streams."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
import pytest

from subgraphs.common.database import Database
from subgraphs.common.events import EventBus, InMemoryEventBus
from subgraphs.common.redis_bus import RedisEventBus
from subgraphs.common.server import Subgraph, prepare_database
from tests.conftest import REDIS_URL, TEST_DATABASE_URL, fresh_stream, unavailable
from tests.subgraphs.harness import SubgraphHarness

MakeHarness = Callable[..., Awaitable[SubgraphHarness]]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    """A fresh, empty bus of each implementation: in memory, or a new stream on Redis."""
    if request.param == "memory":
        yield InMemoryEventBus()
        return
    async with fresh_stream() as stream:
        # Short blocking reads, so a cancelled consumer lets go of its connection quickly.
        redis_bus = RedisEventBus.from_url(REDIS_URL, stream=stream, block_ms=200)
        yield redis_bus
        await redis_bus.close()


@pytest.fixture
async def make_database(
    backend: str, tmp_path: Path
) -> AsyncIterator[Callable[[str], Awaitable[Database]]]:
    """Fresh, empty databases on the test's backend: a SQLite file, or a PostgreSQL schema."""
    async with AsyncExitStack() as stack:
        made = 0

        async def make(name: str) -> Database:
            nonlocal made
            made += 1
            if backend == "sqlite":
                database = Database(f"sqlite:///{tmp_path / name}-{made}.db")
            else:
                schema = f"t_{name}_{uuid.uuid4().hex[:12]}"
                dsn = TEST_DATABASE_URL.replace("postgresql+asyncpg://", "postgresql://")
                try:
                    admin = await asyncpg.connect(dsn)
                except (OSError, asyncpg.PostgresError) as error:
                    unavailable("PostgreSQL", error)
                await admin.execute(f'CREATE SCHEMA "{schema}"')
                stack.push_async_callback(admin.close)
                stack.push_async_callback(admin.execute, f'DROP SCHEMA "{schema}" CASCADE')
                database = Database(TEST_DATABASE_URL, schema=schema)
            stack.push_async_callback(database.dispose)
            return database

        yield make


@pytest.fixture
async def make_harness(
    make_database: Callable[[str], Awaitable[Database]],
) -> AsyncIterator[MakeHarness]:
    """`await make_harness(subgraph, seed=True)`: a migrated (and seeded) subgraph in process."""
    harnesses: list[SubgraphHarness] = []

    async def make(
        subgraph: Subgraph, *, seed: bool = False, bus: EventBus | None = None
    ) -> SubgraphHarness:
        database = await make_database(subgraph.name)
        await prepare_database(subgraph, database, seed=seed)
        harness = SubgraphHarness(subgraph, database, bus or InMemoryEventBus())
        harnesses.append(harness)
        return harness

    yield make
    for harness in harnesses:
        await harness.aclose()
