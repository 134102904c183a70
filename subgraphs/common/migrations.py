"""Alembic, shared by the four subgraphs.

One `env.py` and one template live in `subgraphs/common/alembic/`; each subgraph keeps only its
revisions, in `subgraphs/<name>/migrations/versions/`, and exposes its tables as
`subgraphs.<name>.models.metadata`.

    python -m subgraphs.common.migrations upgrade apps          # DATABASE_URL or the SQLite file
    python -m subgraphs.common.migrations revision apps -m "add webhook secret"
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

from subgraphs.common.database import Database, default_url

# Full-text search structures are created by hand-written revisions, in each backend's own
# terms (an SQLite FTS5 virtual table and its shadow tables, a PostgreSQL generated `tsvector`
# column and its GIN index). The models do not declare them, so model comparisons and
# autogenerate leave everything named with this prefix alone.
FULL_TEXT_PREFIX = "fts_"

SUBGRAPHS_DIR = Path(__file__).resolve().parent.parent
ENV_DIR = Path(__file__).resolve().parent / "alembic"


def metadata_of(subgraph: str) -> MetaData:
    module = importlib.import_module(f"subgraphs.{subgraph}.models")
    metadata: MetaData = module.metadata
    return metadata


def include_object(_object: Any, name: str | None, _type: str, *_: Any) -> bool:
    """Alembic's `include_object` hook: everything but the full-text search structures."""
    return not (name or "").startswith(FULL_TEXT_PREFIX)


def alembic_config(subgraph: str) -> Config:
    config = Config()
    config.set_main_option("path_separator", "os")
    config.set_main_option("script_location", str(ENV_DIR))
    config.set_main_option(
        "version_locations", str(SUBGRAPHS_DIR / subgraph / "migrations" / "versions")
    )
    config.attributes["metadata"] = metadata_of(subgraph)
    return config


async def upgrade(database: Database, subgraph: str, revision: str = "head") -> None:
    """Bring the subgraph's database to `revision` (idempotent, and safe for processes that
    start together on one database: they take turns)."""
    config = alembic_config(subgraph)

    def run(connection: Any) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with database.engine.begin() as connection:
        if database.is_postgres:
            # Replicas of a subgraph, and the webhook sender beside apps, start at once and
            # each migrates first: without a turn each, all but one fail creating the same
            # tables. The lock is the transaction's, so it is released when the migration
            # commits; the next one then finds the database at head and does nothing.
            await connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"),
                {"key": migration_lock_key(subgraph, database.schema)},
            )
        await connection.run_sync(run)


def migration_lock_key(subgraph: str, schema: str | None) -> int:
    """The advisory lock of one subgraph's tables in one schema (locks are per database): a
    signed 64-bit number, as PostgreSQL's advisory locks take."""
    digest = hashlib.sha256(f"switchboard-migrations:{subgraph}:{schema or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def autogenerate(subgraph: str, message: str) -> None:
    """Write a new revision with the difference between the models and the migrations."""
    with tempfile.TemporaryDirectory() as scratch:
        database = Database(f"sqlite+aiosqlite:///{scratch}/scratch.db")
        try:
            await upgrade(database, subgraph)
            config = alembic_config(subgraph)

            def run(connection: Any) -> None:
                config.attributes["connection"] = connection
                command.revision(config, message=message, autogenerate=True)

            async with database.engine.begin() as connection:
                await connection.run_sync(run)
        finally:
            await database.dispose()


def subgraphs_with_migrations() -> list[str]:
    return sorted(path.parent.parent.name for path in SUBGRAPHS_DIR.glob("*/migrations/versions"))


def main(argv: list[str] | None = None) -> None:
    # An unknown subgraph is refused by argparse in one line naming the valid ones, not by
    # alembic with a traceback about a missing versions directory.
    known = subgraphs_with_migrations()
    parser = argparse.ArgumentParser(prog="python -m subgraphs.common.migrations")
    actions = parser.add_subparsers(dest="action", required=True)
    up = actions.add_parser("upgrade", help="migrate a subgraph's database to the newest revision")
    up.add_argument("subgraph", choices=known)
    up.add_argument("--database-url", default=None, help="defaults to DATABASE_URL or SQLite")
    rev = actions.add_parser("revision", help="autogenerate a revision from the models")
    rev.add_argument("subgraph", choices=known)
    rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)
    if args.action == "upgrade":
        database = Database(args.database_url or default_url(args.subgraph))
        asyncio.run(_upgrade_and_dispose(database, args.subgraph))
    else:
        asyncio.run(autogenerate(args.subgraph, args.message))


async def _upgrade_and_dispose(database: Database, subgraph: str) -> None:
    try:
        await upgrade(database, subgraph)
    finally:
        await database.dispose()


if __name__ == "__main__":
    main()
