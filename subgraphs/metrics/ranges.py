"""The time range of a usage question: defaults, validation and bucketing.

Without `from`/`to` a question covers the 30 days ending at the newest recorded data rather than
at the wall clock, so the demo data answers whenever the demo is run. Ranges are half-open,
`[from, to)`, and select rollup rows by their `hour_start`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import strawberry

from subgraphs.common.clock import as_utc
from subgraphs.common.errors import BadUserInput

DEFAULT_SPAN = timedelta(days=30)
MAX_HOURLY_SPAN = timedelta(days=90)
MAX_SPAN = timedelta(days=366)
MAX_LIMIT = 100


@strawberry.enum(description="The width of the buckets of a usage series.")
class UsageGranularity(enum.Enum):
    HOUR = "HOUR"
    DAY = "DAY"


@dataclass(frozen=True)
class TimeRange:
    start: datetime
    end: datetime


def resolve_range(
    start: datetime | None,
    end: datetime | None,
    newest_end: datetime | None,
    granularity: UsageGranularity = UsageGranularity.DAY,
) -> TimeRange:
    """Fill in the defaults and check the range (BAD_USER_INPUT when it is unusable).

    `newest_end` is the end of the newest rollup bucket, or None when nothing is recorded.
    """
    start = _aware(start, "from")
    end = _aware(end, "to")
    if end is None:
        end = newest_end or _next_hour(datetime.now(UTC))
        if start is not None and start >= end:
            end = start + DEFAULT_SPAN
    if start is None:
        start = end - DEFAULT_SPAN
    if start >= end:
        raise BadUserInput("`from` must be before `to`.", argument="from")
    longest = MAX_HOURLY_SPAN if granularity is UsageGranularity.HOUR else MAX_SPAN
    if end - start > longest:
        raise BadUserInput(
            f"The range may span at most {longest.days} days at {granularity.value} granularity.",
            argument="from",
        )
    return TimeRange(start, end)


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise BadUserInput(
            f"`limit` must be between 1 and {MAX_LIMIT}, got {limit}.", argument="limit"
        )
    return limit


def bucket_start(moment: datetime, granularity: UsageGranularity) -> datetime:
    moment = moment.astimezone(UTC)
    if granularity is UsageGranularity.DAY:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(minute=0, second=0, microsecond=0)


def hour_of(moment: datetime) -> datetime:
    return bucket_start(moment, UsageGranularity.HOUR)


def _next_hour(moment: datetime) -> datetime:
    return hour_of(moment) + timedelta(hours=1)


def _aware(moment: datetime | None, argument: str) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise BadUserInput(f"`{argument}` needs a time zone offset.", argument=argument)
    return as_utc(moment)
