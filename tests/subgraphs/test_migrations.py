"""Each subgraph's Alembic revisions build exactly the tables its models declare."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from subgraphs.common.database import Database
from subgraphs.common.migrations import include_object, metadata_of, upgrade

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
