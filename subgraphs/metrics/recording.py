"""Recording a batch of usage: raw rows and every rollup, in one transaction.

Counters are upserted additively (`requests = requests + excluded.requests`), which is atomic on
both backends. A latency histogram cannot be added up in portable SQL, so its upsert leaves an
existing histogram as it is and returns the row; the rows that already existed (their returned
request count is larger than this batch's) then get their histogram merged and written back.
The upsert has locked those rows by then (PostgreSQL row locks; SQLite's single writer), so no
concurrent batch can slip in between the read and the write.

After the batch, an app whose requests in an hour touched by the batch went from below
`HOURLY_REQUEST_THRESHOLD` to at least it is reported, and its `usage.threshold_exceeded` event
is staged in the outbox in the same transaction, so it is published once per app and hour: the
crossing can only happen once, as counts only grow.
"""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.common.database import Database
from subgraphs.common.errors import BadUserInput
from subgraphs.common.events import EventType
from subgraphs.metrics import histogram
from subgraphs.metrics.aggregates import Totals
from subgraphs.metrics.models import (
    NO_APP,
    NO_INSTALLATION,
    OUTBOX,
    UsageFieldHourlyRow,
    UsageHourlyRow,
    UsageOperationHourlyRow,
    UsageRecordRow,
)
from subgraphs.metrics.ranges import as_utc, hour_of

# Requests per app per hour above which `usage.threshold_exceeded` is published: 10,000 unless
# the environment says otherwise. Read at call time, so tests can lower it by assigning to the
# module attribute.
THRESHOLD_VARIABLE = "SWITCHBOARD_USAGE_ALERT_REQUESTS_PER_HOUR"
HOURLY_REQUEST_THRESHOLD = int(os.environ.get(THRESHOLD_VARIABLE) or 10_000)
MAX_RECORDS_PER_CALL = 1000
# How far ahead of this server's clock a gateway's timestamp may be.
CLOCK_SKEW = timedelta(minutes=5)
# Rows per upsert statement: keeps every statement under both backends' bound-parameter limits.
UPSERT_CHUNK = 500
_COORDINATE = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$")


@dataclass(frozen=True)
class UsageRecord:
    """One request, validated. `app_id` is None for a caller without an app (anonymous, a
    person's token)."""

    occurred_at: datetime
    app_id: str | None
    installation_id: str | None
    operation_name: str | None
    operation_hash: str
    fields: tuple[str, ...]
    duration_ms: float
    error_count: int
    subgraph_timings: dict[str, float]
    http_status: int
    workspace_id: str | None = None
    operation_kind: str | None = None
    estimated_cost: int | None = None
    actual_cost: int | None = None
    error_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThresholdCrossing:
    app_id: str
    hour_start: datetime
    requests: int
    threshold: int

    def payload(self) -> dict[str, Any]:
        """The `usage.threshold_exceeded` event's payload."""
        return {
            "appId": self.app_id,
            "hourStart": self.hour_start.isoformat(),
            "requests": self.requests,
            "threshold": self.threshold,
        }


def validate(records: Sequence[UsageRecord], now: datetime | None = None) -> None:
    """BAD_USER_INPUT naming the first offending record's index."""
    if len(records) > MAX_RECORDS_PER_CALL:
        raise BadUserInput(
            f"At most {MAX_RECORDS_PER_CALL} records per call, got {len(records)}.",
            argument="records",
        )
    latest = (now or datetime.now(UTC)) + CLOCK_SKEW
    for index, record in enumerate(records):
        problem = _problem(record, latest)
        if problem:
            raise BadUserInput(f"Record {index}: {problem}", argument="records", index=index)


def _problem(record: UsageRecord, latest: datetime) -> str | None:
    if record.occurred_at.tzinfo is None:
        return "`time` needs a time zone offset."
    if record.occurred_at > latest:
        return "`time` is in the future."
    if record.app_id == "":
        return "`appId` must not be empty (leave it out for a caller without an app)."
    if record.operation_kind not in (None, "query", "mutation", "subscription"):
        return "`operationKind` must be query, mutation or subscription."
    for cost in (record.estimated_cost, record.actual_cost):
        if cost is not None and cost < 0:
            return "costs must not be negative."
    if len(record.error_codes) > 20 or any(len(code) > 64 for code in record.error_codes):
        return "at most 20 error codes of at most 64 characters."
    if not record.operation_hash or len(record.operation_hash) > 128:
        return "`operationHash` must be 1 to 128 characters."
    if not (math.isfinite(record.duration_ms) and record.duration_ms >= 0):
        return "`durationMs` must be a non-negative number."
    if record.error_count < 0:
        return "`errorCount` must not be negative."
    if not 100 <= record.http_status <= 599:
        return "`httpStatus` must be an HTTP status code."
    bad_fields = [coordinate for coordinate in record.fields if not _COORDINATE.match(coordinate)]
    if bad_fields:
        return f'fields must be "Type.field" coordinates, got {bad_fields[0]!r}.'
    if any(not (math.isfinite(ms) and ms >= 0) for ms in record.subgraph_timings.values()):
        return "subgraph timings must be non-negative numbers."
    return None


@dataclass
class _Batch:
    """The batch folded into rollup keys."""

    usage: dict[tuple[str, str, datetime], Totals] = field(
        default_factory=lambda: defaultdict(Totals)
    )
    operations: dict[tuple[str, str, datetime, str], Totals] = field(
        default_factory=lambda: defaultdict(Totals)
    )
    operation_names: dict[str, str | None] = field(default_factory=dict)
    fields: dict[tuple[str, str, datetime, str], int] = field(
        default_factory=lambda: defaultdict(int)
    )

    @classmethod
    def of(cls, records: Iterable[UsageRecord]) -> _Batch:
        batch = cls()
        for record in records:
            hour = hour_of(record.occurred_at)
            app = record.app_id or NO_APP
            installation = record.installation_id or NO_INSTALLATION
            failed = 1 if record.error_count > 0 else 0
            latency = histogram.empty()
            latency[histogram.bucket_of(record.duration_ms)] = 1
            batch.usage[(app, installation, hour)].add(1, failed, record.duration_ms, latency)
            operation_key = (app, installation, hour, record.operation_hash)
            batch.operations[operation_key].add(1, failed, record.duration_ms, latency)
            if record.operation_name:
                batch.operation_names[record.operation_hash] = record.operation_name
            for coordinate in set(record.fields):
                batch.fields[(app, installation, hour, coordinate)] += 1
        return batch

    def app_hours(self) -> dict[tuple[str, datetime], int]:
        requests: dict[tuple[str, datetime], int] = defaultdict(int)
        for (app_id, _installation, hour), totals in self.usage.items():
            if app_id != NO_APP:  # callers without an app have no threshold to cross
                requests[(app_id, hour)] += totals.requests
        return requests


async def record_usage(
    database: Database, records: Sequence[UsageRecord], *, threshold: int
) -> list[ThresholdCrossing]:
    """Store `records` (already validated) and report the apps that crossed `threshold`, whose
    events are then waiting in the outbox."""
    if not records:
        return []
    batch = _Batch.of(records)
    insert_for = sqlite.insert if database.is_sqlite else postgresql.insert
    async with database.session() as session:
        await session.exec(insert(UsageRecordRow), params=[_raw(record) for record in records])
        await _upsert_counters(
            session,
            insert_for,
            UsageHourlyRow,
            ("app_id", "installation_id", "hour_start"),
            [
                {"app_id": a, "installation_id": i, "hour_start": h, **_counters(totals)}
                for (a, i, h), totals in batch.usage.items()
            ],
        )
        await _upsert_counters(
            session,
            insert_for,
            UsageOperationHourlyRow,
            ("app_id", "installation_id", "hour_start", "operation_hash"),
            [
                {
                    "app_id": a,
                    "installation_id": i,
                    "hour_start": h,
                    "operation_hash": operation_hash,
                    "operation_name": batch.operation_names.get(operation_hash),
                    **_counters(totals),
                }
                for (a, i, h, operation_hash), totals in batch.operations.items()
            ],
        )
        await _upsert_field_counts(session, insert_for, batch)
        crossings = await _crossings(session, batch, threshold)
        for crossing in crossings:
            await OUTBOX.add(
                session,
                EventType.USAGE_THRESHOLD_EXCEEDED,
                crossing.payload(),
                app_id=crossing.app_id,
            )
        await session.commit()
    return crossings


def _raw(record: UsageRecord) -> dict[str, Any]:
    return {
        "occurred_at": as_utc(record.occurred_at),
        "app_id": record.app_id,
        "installation_id": record.installation_id,
        "workspace_id": record.workspace_id,
        "operation_name": record.operation_name,
        "operation_hash": record.operation_hash,
        "operation_kind": record.operation_kind,
        "fields": list(record.fields),
        "estimated_cost": record.estimated_cost,
        "actual_cost": record.actual_cost,
        "duration_ms": record.duration_ms,
        "error_count": record.error_count,
        "error_codes": list(record.error_codes),
        "subgraph_timings": record.subgraph_timings,
        "http_status": record.http_status,
    }


def _counters(totals: Totals) -> dict[str, Any]:
    return {
        "span_hours": 1,
        "requests": totals.requests,
        "errors": totals.errors,
        "total_duration_ms": totals.total_duration_ms,
        "latency_histogram": totals.latency,
    }


async def _upsert_counters(
    session: AsyncSession,
    insert_for: Any,
    model: type[UsageHourlyRow] | type[UsageOperationHourlyRow],
    key_columns: tuple[str, ...],
    rows: list[dict[str, Any]],
) -> None:
    table: Any = model.__table__  # type: ignore[attr-defined]
    stale: list[dict[str, Any]] = []
    for start in range(0, len(rows), UPSERT_CHUNK):
        chunk = rows[start : start + UPSERT_CHUNK]
        statement = insert_for(table).values(chunk)
        statement = statement.on_conflict_do_update(
            index_elements=list(key_columns),
            set_={
                "requests": table.c.requests + statement.excluded.requests,
                "errors": table.c.errors + statement.excluded.errors,
                "total_duration_ms": table.c.total_duration_ms
                + statement.excluded.total_duration_ms,
            },
        ).returning(
            *(table.c[name] for name in key_columns), table.c.requests, table.c.latency_histogram
        )
        written = {_key(row, key_columns): row for row in chunk}
        for returned in (await session.exec(statement)).all():
            values = dict(
                zip((*key_columns, "requests", "latency_histogram"), returned, strict=True)
            )
            added = written[_key(values, key_columns)]
            if values["requests"] != added["requests"]:
                merged = histogram.add(
                    list(values["latency_histogram"]), added["latency_histogram"]
                )
                stale.append({**{f"key_{n}": added[n] for n in key_columns}, "merged": merged})
    if stale:
        statement = (
            update(table)
            .where(*(table.c[name] == bindparam(f"key_{name}") for name in key_columns))
            .values(latency_histogram=bindparam("merged", type_=table.c.latency_histogram.type))
        )
        await session.exec(statement, params=stale)


def _key(row: dict[str, Any], key_columns: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(as_utc(row[n]) if n == "hour_start" else row[n] for n in key_columns)


async def _upsert_field_counts(session: AsyncSession, insert_for: Any, batch: _Batch) -> None:
    table: Any = UsageFieldHourlyRow.__table__  # type: ignore[attr-defined]
    rows = [
        {
            "app_id": a,
            "installation_id": i,
            "hour_start": h,
            "coordinate": coordinate,
            "span_hours": 1,
            "requests": requests,
        }
        for (a, i, h, coordinate), requests in batch.fields.items()
    ]
    for start in range(0, len(rows), UPSERT_CHUNK):
        statement = insert_for(table).values(rows[start : start + UPSERT_CHUNK])
        statement = statement.on_conflict_do_update(
            index_elements=["app_id", "installation_id", "hour_start", "coordinate"],
            set_={"requests": table.c.requests + statement.excluded.requests},
        )
        await session.exec(statement)


async def _crossings(
    session: AsyncSession, batch: _Batch, threshold: int
) -> list[ThresholdCrossing]:
    added = batch.app_hours()
    if not added:
        return []
    row = UsageHourlyRow
    statement = (
        select(row.app_id, row.hour_start, func.sum(row.requests))
        .where(tuple_(col(row.app_id), col(row.hour_start)).in_(list(added)))
        .group_by(col(row.app_id), col(row.hour_start))
    )
    crossings = []
    for app_id, hour, requests in (await session.exec(statement)).all():
        hour = as_utc(hour)
        before = int(requests) - added[(app_id, hour)]
        if before < threshold <= int(requests):
            crossings.append(ThresholdCrossing(app_id, hour, int(requests), threshold))
    return sorted(crossings, key=lambda crossing: (crossing.hour_start, crossing.app_id))
