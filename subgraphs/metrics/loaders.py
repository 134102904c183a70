"""Per-request dataloaders: fifty entities asking for usage cost one statement per table.

Keys are (subject, time range): every entity of one `_entities` call asks about the same range,
so a batch is usually one group and one statement; distinct ranges in one request cost one
statement each, never one per entity.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.common.database import Database
from subgraphs.common.dataloader import DataLoader
from subgraphs.common.principal import Principal
from subgraphs.metrics.aggregates import Counters, OperationCounters
from subgraphs.metrics.models import (
    AppOwnerRow,
    UsageFieldHourlyRow,
    UsageHourlyRow,
    UsageOperationHourlyRow,
)
from subgraphs.metrics.ranges import TimeRange, as_utc

Result = TypeVar("Result")
RollupRow = type[UsageHourlyRow] | type[UsageOperationHourlyRow] | type[UsageFieldHourlyRow]


class SubjectKind(enum.Enum):
    APP = "app"
    INSTALLATION = "installation"
    PLATFORM = "platform"


@dataclass(frozen=True)
class UsageKey:
    """Whose usage over which range. `owner_app_ids` confines an installation's rows to the
    caller's apps: an integration asking about another app's installation sees no traffic."""

    kind: SubjectKind
    id: str
    range: TimeRange
    owner_app_ids: frozenset[str] | None = None

    @property
    def group(self) -> Hashable:
        return (self.kind, self.range, self.owner_app_ids)


class Loaders:
    def __init__(self, database: Database, principal: Principal, *, batch: bool = True) -> None:
        self.database = database
        self.principal = principal
        self._newest_end = DataLoader[str, datetime | None](self._load_newest_end, batch=batch)
        self.usage = DataLoader[UsageKey, list[Counters]](self._load_usage, batch=batch)
        self.operations = DataLoader[UsageKey, list[OperationCounters]](
            self._load_operations, batch=batch
        )
        self.fields = DataLoader[UsageKey, list[tuple[str, int]]](self._load_fields, batch=batch)
        self._visible_apps: frozenset[str] | None = None

    async def visible_apps(self) -> frozenset[str]:
        """The apps whose usage the caller may read unless it sees everyone's: its own app
        (an integration's token), or its organization's apps (a publisher's member)."""
        if self._visible_apps is None:
            principal = self.principal
            if principal.app_id is not None:
                self._visible_apps = frozenset({principal.app_id})
            elif principal.organization_id is not None:
                statement = select(AppOwnerRow.app_id).where(
                    AppOwnerRow.organization_id == principal.organization_id
                )
                async with self.database.session() as session:
                    self._visible_apps = frozenset((await session.exec(statement)).all())
            else:
                self._visible_apps = frozenset()
        return self._visible_apps

    async def newest_end(self) -> datetime | None:
        """The end of the newest rollup bucket, where default ranges end (once per request)."""
        return await self._newest_end.load("usage_hourly")

    async def _load_newest_end(self, keys: Sequence[str]) -> list[datetime | None]:
        statement = (
            select(UsageHourlyRow.hour_start, UsageHourlyRow.span_hours)
            .order_by(col(UsageHourlyRow.hour_start).desc())
            .limit(1)
        )
        async with self.database.session() as session:
            newest = (await session.exec(statement)).first()
        end = None if newest is None else as_utc(newest[0]) + timedelta(hours=newest[1])
        return [end for _ in keys]

    async def _load_usage(self, keys: Sequence[UsageKey]) -> list[list[Counters]]:
        async def fetch(session: AsyncSession, group: list[UsageKey]) -> dict[str, list[Counters]]:
            row = UsageHourlyRow
            subject = _subject_column(row, group[0].kind)
            statement = _scoped(
                select(
                    subject,
                    row.hour_start,
                    row.requests,
                    row.errors,
                    row.total_duration_ms,
                    row.latency_histogram,
                ),
                row,
                group,
            )
            grouped: dict[str, list[Counters]] = defaultdict(list)
            for values in (await session.exec(statement)).all():
                grouped[values[0]].append(Counters(*values))
            return grouped

        return await self._grouped(keys, fetch)

    async def _load_operations(self, keys: Sequence[UsageKey]) -> list[list[OperationCounters]]:
        async def fetch(
            session: AsyncSession, group: list[UsageKey]
        ) -> dict[str, list[OperationCounters]]:
            row = UsageOperationHourlyRow
            subject = _subject_column(row, group[0].kind)
            statement = _scoped(
                select(
                    subject,
                    row.operation_hash,
                    row.operation_name,
                    row.requests,
                    row.errors,
                    row.latency_histogram,
                ),
                row,
                group,
            )
            grouped: dict[str, list[OperationCounters]] = defaultdict(list)
            for values in (await session.exec(statement)).all():
                grouped[values[0]].append(OperationCounters(*values))
            return grouped

        return await self._grouped(keys, fetch)

    async def _load_fields(self, keys: Sequence[UsageKey]) -> list[list[tuple[str, int]]]:
        async def fetch(
            session: AsyncSession, group: list[UsageKey]
        ) -> dict[str, list[tuple[str, int]]]:
            row = UsageFieldHourlyRow
            subject = _subject_column(row, group[0].kind)
            statement = _scoped(
                select(subject, row.coordinate, func.sum(row.requests)), row, group
            ).group_by(subject, row.coordinate)
            grouped: dict[str, list[tuple[str, int]]] = defaultdict(list)
            for key, coordinate, requests in (await session.exec(statement)).all():
                grouped[key].append((coordinate, int(requests)))
            return grouped

        return await self._grouped(keys, fetch)

    async def _grouped(
        self,
        keys: Sequence[UsageKey],
        fetch: Callable[[AsyncSession, list[UsageKey]], Awaitable[dict[str, list[Result]]]],
    ) -> list[list[Result]]:
        """One statement per (kind, range, owner) group of keys."""
        groups: dict[Hashable, list[UsageKey]] = defaultdict(list)
        for key in keys:
            groups[key.group].append(key)
        found: dict[UsageKey, list[Result]] = {}
        async with self.database.session() as session:
            for group in groups.values():
                by_subject = await fetch(session, group)
                for key in group:
                    if key.kind is SubjectKind.PLATFORM:
                        found[key] = [item for items in by_subject.values() for item in items]
                    else:
                        found[key] = by_subject.get(key.id, [])
        return [found[key] for key in keys]


def _subject_column(row: RollupRow, kind: SubjectKind) -> Any:
    """The column naming a row's subject; platform-wide answers merge every app's rows."""
    if kind is SubjectKind.INSTALLATION:
        return row.installation_id
    return row.app_id


def _scoped(statement: Any, row: RollupRow, group: list[UsageKey]) -> Any:
    first = group[0]
    statement = statement.where(
        col(row.hour_start) >= first.range.start, col(row.hour_start) < first.range.end
    )
    if first.kind is SubjectKind.APP:
        statement = statement.where(col(row.app_id).in_([key.id for key in group]))
    elif first.kind is SubjectKind.INSTALLATION:
        statement = statement.where(col(row.installation_id).in_([key.id for key in group]))
    if first.owner_app_ids is not None:
        statement = statement.where(col(row.app_id).in_(sorted(first.owner_app_ids)))
    return statement
