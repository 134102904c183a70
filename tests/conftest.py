"""Suite-wide fixtures: the real PostgreSQL and Redis servers.

Locally a test that needs an unreachable server is skipped; in CI (`CI` set) it fails instead,
because the servers are part of the machine CI runs on.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def unavailable(what: str, error: BaseException) -> None:
    message = f"{what} is not reachable: {error}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run these tests)")
    pytest.skip(message)


@contextlib.asynccontextmanager
async def fresh_stream() -> AsyncIterator[str]:
    """A new stream name on the reachable Redis; the stream and its id counter are deleted
    afterwards. Unique per use, so tests in parallel workers never share one."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as error:
        await client.aclose()
        unavailable("Redis", error)
    name = f"test:stream:{uuid.uuid4().hex}"
    try:
        yield name
    finally:
        await client.delete(name, f"{name}:last-id")
        await client.aclose()


@pytest.fixture
async def redis_stream() -> AsyncIterator[str]:
    """A fresh stream name on the reachable Redis (`fresh_stream`)."""
    async with fresh_stream() as name:
        yield name
