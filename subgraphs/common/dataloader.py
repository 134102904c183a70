"""The dataloader every subgraph uses: aiodataloader's, safe against a cancelled caller.

aiodataloader hands every caller of `load(key)` the same cached future. When graphql-core
cancels the pending resolvers of a selection set because a sibling field failed, a cancelled
caller cancels that shared future too, and every other resolver still waiting on the key (in
another branch of the same request) gets a `CancelledError` instead of the value: the request
ends in a 500. Each caller here waits through its own shield, so cancelling a caller leaves
the shared future to the batch that fills it.
"""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

import aiodataloader

KeyT = TypeVar("KeyT")
ReturnT = TypeVar("ReturnT")


class DataLoader(aiodataloader.DataLoader[KeyT, ReturnT], Generic[KeyT, ReturnT]):
    def load(self, key: KeyT) -> asyncio.Future[ReturnT]:
        return asyncio.shield(super().load(key))
