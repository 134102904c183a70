"""`UsageSink`: where the recorder sends batches, and how a send fails.

UsageSinkError
├── IngestionUnavailable   worth retrying (the ingestion is down, slow, or refused the token)
└── IngestionRejected      not worth retrying (the ingestion refused the records themselves)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gateway.usage.record import UsageRecord


class UsageSinkError(Exception):
    pass


class IngestionUnavailable(UsageSinkError):
    pass


class IngestionRejected(UsageSinkError):
    pass


class UsageSink(Protocol):
    async def send(self, records: Sequence[UsageRecord]) -> None: ...

    async def close(self) -> None: ...
