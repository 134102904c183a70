"""Each subgraph's Alembic revisions build exactly the tables its models declare."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from subgraphs.common.database import Database
from subgraphs.common.migrations import include_object, metadata_of, upgrade
from tests.conftest import TEST_DATABASE_URL, unavailable

ROOT = Path(__file__).resolve().parents[2]

SUBGRAPH_NAMES = ["apps", "installs", "marketplace", "metrics"]


@pytest.mark.parametrize("name", SUBGRAPH_NAMES)
async def test_migrations_match_models(
    name: str, make_database: Callable[[str], Awaitable[Database]]
) -> None:
    database = await make_database(name)
    await upgrade(database, name)
    await upgrade(database, name)  # a second upgrade is a no-op, not an error

    def differences(connection: Any) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        return list(compare_metadata(context, metadata_of(name)))

    async with database.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_processes_starting_together_migrate_one_database_once() -> None:
    """Replicas of a subgraph, and the webhook sender beside apps, start at the same moment
    (`docker compose up`) and each migrates the one PostgreSQL database first: one does the
    work, the others wait for it and find nothing left to do; none fails."""
    dsn = TEST_DATABASE_URL.replace("postgresql+asyncpg://", "postgresql://")
    try:
        admin = await asyncpg.connect(dsn)
    except (OSError, asyncpg.PostgresError) as error:
        unavailable("PostgreSQL", error)
    name = f"t_migrate_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = dsn.rsplit("/", 1)[0] + f"/{name}"
    try:
        command = [sys.executable, "-m", "subgraphs.common.migrations", "upgrade", "apps"]
        processes = [
            await asyncio.create_subprocess_exec(
                *command, "--database-url", url, cwd=ROOT, stderr=asyncio.subprocess.PIPE
            )
            for _ in range(3)
        ]
        outcomes = [await process.communicate() for process in processes]
        failures = [
            errors.decode().strip().splitlines()[-1]
            for process, (_, errors) in zip(processes, outcomes, strict=True)
            if process.returncode != 0
        ]
        assert failures == []
        database = await asyncpg.connect(url)
        try:
            assert len(await database.fetch("SELECT version_num FROM alembic_version")) == 1
        finally:
            await database.close()
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
