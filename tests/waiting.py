"""Waiting for things that happen beside a test: a free port to serve on, and a condition an
asynchronous consumer, relay or server will make true soon."""

from __future__ import annotations

import asyncio
import inspect
import socket
from collections.abc import Awaitable, Callable
from typing import Any


def free_port() -> int:
    """A localhost port nobody listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def eventually(
    check: Callable[[], Awaitable[Any] | Any],
    accept: Callable[[Any], bool] = bool,
    *,
    seconds: float = 5.0,
    interval: float = 0.01,
) -> Any:
    """Call `check` (a function or a coroutine function) until `accept`s its result, for at
    most `seconds`; the accepted result, or an AssertionError naming the last one."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if accept(result):
            return result
        if loop.time() > deadline:
            raise AssertionError(f"not within {seconds} s; last result: {result!r}")
        await asyncio.sleep(interval)
