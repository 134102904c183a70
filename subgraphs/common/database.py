"""One async database per subgraph: a SQLite file by default, PostgreSQL when configured.

`DATABASE_URL` (or an explicit URL) selects the backend. Plain `postgresql://` and `sqlite://`
URLs are rewritten to their async drivers (asyncpg, aiosqlite), so the same URL works for psql.
A PostgreSQL URL may carry a `schema` that becomes the connection's search path: tests give each
test its own schema in one database, which is much cheaper than a database per test.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


def async_url(url: str) -> str:
    """Map a database URL to its async driver: postgresql → asyncpg, sqlite → aiosqlite."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername != "postgresql+asyncpg":
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite" and parsed.drivername != "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def default_url(subgraph: str, data_dir: Path | None = None) -> str:
    """`DATABASE_URL` if set, else a SQLite file named after the subgraph."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    directory = data_dir or Path(os.environ.get("SWITCHBOARD_DATA_DIR", ".switchboard"))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{directory / subgraph}.db"


@dataclass
class StatementCounter:
    """Counts SQL statements sent to the server; the N+1 tests assert on it."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


class Database:
    """An async engine and its session factory."""

    def __init__(self, url: str, *, schema: str | None = None, echo: bool = False) -> None:
        self.url = async_url(url)
        self.schema = schema
        connect_args: dict[str, Any] = {}
        if self.is_postgres and schema:
            connect_args["server_settings"] = {"search_path": schema}
        self.engine: AsyncEngine = create_async_engine(
            self.url, echo=echo, connect_args=connect_args, pool_pre_ping=self.is_postgres
        )
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    @contextmanager
    def count_statements(self) -> Iterator[StatementCounter]:
        counter = StatementCounter()

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            counter.statements.append(statement)

        event.listen(self.engine.sync_engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", record)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
