"""The dataloader every subgraph uses: aiodataloader's, safe against a cancelled caller.

aiodataloader hands every caller of `load(key)` the same cached future. When graphql-core
cancels the pending resolvers of a selection set because a sibling field failed, a cancelled
caller cancelled that shared future too, and every other resolver still waiting on the key (in
another branch of the same request) got a `CancelledError` instead of the value: the request
ended in a 500. Each caller here waits through its own shield, so cancelling a caller leaves
the shared future to the batch that fills it.

A batch whose callers were all cancelled still runs to its end; `settle` waits for such
batches, so a request's database work never outlives the request.
"""

from __future__ import annotations

import asyncio
from typing import Any, Generic, TypeVar

import aiodataloader

KeyT = TypeVar("KeyT")
ReturnT = TypeVar("ReturnT")


class DataLoader(aiodataloader.DataLoader[KeyT, ReturnT], Generic[KeyT, ReturnT]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: set[asyncio.Future[ReturnT]] = set()

    def load(self, key: KeyT) -> asyncio.Future[ReturnT]:
        shared = super().load(key)
        if not shared.done():
            self.pending.add(shared)
            shared.add_done_callback(self.pending.discard)
        return asyncio.shield(shared)


async def settle(loaders: object) -> None:
    """Wait until no load of `loaders` (an object holding a request's dataloaders) is running."""
    pending = [
        future
        for loader in vars(loaders).values()
        if isinstance(loader, DataLoader)
        for future in loader.pending
    ]
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
