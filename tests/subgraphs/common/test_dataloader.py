"""The subgraphs' dataloader: a caller cancelled while it waits leaves the others their value."""

from __future__ import annotations

import asyncio

import pytest

from subgraphs.common.dataloader import DataLoader, settle
from tests.waiting import eventually


async def test_a_cancelled_caller_does_not_cancel_the_shared_load() -> None:
    release = asyncio.Event()
    batches: list[list[str]] = []

    async def load(keys: list[str]) -> list[str]:
        batches.append(keys)
        await release.wait()
        return [key.upper() for key in keys]

    loader = DataLoader[str, str](load)
    cancelled = asyncio.ensure_future(loader.load("a"))
    waiting = asyncio.ensure_future(loader.load("a"))
    await eventually(lambda: batches == [["a"]])  # the batch is loading
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    release.set()
    assert await waiting == "A"
    # The key stays cached with its value: a later caller neither waits nor reloads.
    assert await loader.load("a") == "A"
    assert batches == [["a"]]


async def test_settle_waits_for_a_batch_whose_callers_were_all_cancelled() -> None:
    started: list[str] = []
    finished: list[str] = []

    async def load(keys: list[str]) -> list[str]:
        started.extend(keys)
        await asyncio.sleep(0.01)
        finished.extend(keys)
        return keys

    class Loaders:
        def __init__(self) -> None:
            self.items = DataLoader[str, str](load)

    loaders = Loaders()
    caller = asyncio.ensure_future(loaders.items.load("a"))
    await eventually(lambda: started == ["a"])  # the batch is loading
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert finished == []
    await settle(loaders)
    assert finished == ["a"]
