"""Time as the subgraphs store it: always UTC.

SQLite hands timestamps back without their offset (PostgreSQL keeps it); every stored moment is
UTC, so a naive value read back is UTC too.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime (naive values are taken to be UTC already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
