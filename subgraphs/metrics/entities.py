"""`App` and `Installation`, owned elsewhere, extended here with their usage.

This subgraph holds no rows for either entity: a reference resolves to a stub with its id, and
every usage field loads the entity's rollups through the request's dataloaders.

Visibility: `platform:admin` sees every app's usage; an integration (principal with an app id)
sees its own app and that app's installations; anyone else sees no traffic. An installation of
another app is not an error, it just has no traffic, which tells the caller nothing about it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, NamedTuple

import strawberry

from subgraphs.common.context import Info
from subgraphs.metrics import aggregates
from subgraphs.metrics.loaders import Loaders, SubjectKind, UsageKey
from subgraphs.metrics.ranges import UsageGranularity, check_limit, resolve_range
from subgraphs.metrics.types import FieldUsage, OperationUsage, UsageBucket, UsageSummary

METRICS_READ = [["metrics:read"]]
From = Annotated[
    datetime | None, strawberry.argument(name="from", description="Inclusive start of the range.")
]
To = Annotated[datetime | None, strawberry.argument(description="Exclusive end of the range.")]


def loaders_of(info: Info) -> Loaders:
    loaders: Loaders = info.context.loaders
    return loaders


async def usage_key(
    info: Info,
    kind: SubjectKind,
    subject_id: str,
    start: datetime | None,
    end: datetime | None,
    granularity: UsageGranularity = UsageGranularity.DAY,
) -> UsageKey | None:
    """The validated key of the question, or None when the principal may not see the answer."""
    loaders = loaders_of(info)
    time_range = resolve_range(start, end, await loaders.newest_end(), granularity)
    principal = info.context.principal
    if principal.is_admin:
        return UsageKey(kind, subject_id, time_range)
    if principal.app_id is None or (kind is SubjectKind.APP and subject_id != principal.app_id):
        return None
    owner = principal.app_id if kind is SubjectKind.INSTALLATION else None
    return UsageKey(kind, subject_id, time_range, owner)


class UsageFields(NamedTuple):
    usage: Any
    usage_summary: Any
    top_operations: Any
    top_fields: Any


def _usage_fields(kind: SubjectKind) -> UsageFields:
    """The four usage fields, the same on `App` and `Installation` but for whose rows they read."""

    async def usage(
        root: Any, info: Info, granularity: UsageGranularity, from_: From = None, to: To = None
    ) -> list[UsageBucket]:
        key = await usage_key(info, kind, root.id, from_, to, granularity)
        if key is None:
            return []
        return aggregates.series(await loaders_of(info).usage.load(key), granularity)

    async def usage_summary(
        root: Any, info: Info, from_: From = None, to: To = None
    ) -> UsageSummary:
        key = await usage_key(info, kind, root.id, from_, to)
        rows = [] if key is None else await loaders_of(info).usage.load(key)
        return aggregates.summary(rows)

    async def top_operations(
        root: Any, info: Info, limit: int = 10, from_: From = None, to: To = None
    ) -> list[OperationUsage]:
        check_limit(limit)
        key = await usage_key(info, kind, root.id, from_, to)
        if key is None:
            return []
        return aggregates.top_operations(await loaders_of(info).operations.load(key), limit)

    async def top_fields(
        root: Any, info: Info, limit: int = 10, from_: From = None, to: To = None
    ) -> list[FieldUsage]:
        check_limit(limit)
        key = await usage_key(info, kind, root.id, from_, to)
        if key is None:
            return []
        return aggregates.top_fields(await loaders_of(info).fields.load(key), limit)

    def field(resolver: Any, description: str) -> Any:
        return strawberry.federation.field(
            resolver=resolver,
            description=description,
            requires_scopes=METRICS_READ,
            authenticated=True,
        )

    return UsageFields(
        usage=field(usage, "Requests, errors and latency per hour or day."),
        usage_summary=field(usage_summary, "Totals and latency percentiles over the range."),
        top_operations=field(top_operations, "The most requested operations, busiest first."),
        top_fields=field(top_fields, "The most requested schema fields, busiest first."),
    )


_APP_FIELDS = _usage_fields(SubjectKind.APP)
_INSTALLATION_FIELDS = _usage_fields(SubjectKind.INSTALLATION)


@strawberry.federation.type(keys=["id"])
class App:
    id: strawberry.ID
    usage = _APP_FIELDS.usage
    usage_summary = _APP_FIELDS.usage_summary
    top_operations = _APP_FIELDS.top_operations
    top_fields = _APP_FIELDS.top_fields

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> App:
        """A stub: usage fields load what they need, keyed by this id."""
        return cls(id=id)


@strawberry.federation.type(keys=["id"])
class Installation:
    id: strawberry.ID
    usage = _INSTALLATION_FIELDS.usage
    usage_summary = _INSTALLATION_FIELDS.usage_summary
    top_operations = _INSTALLATION_FIELDS.top_operations
    top_fields = _INSTALLATION_FIELDS.top_fields

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Installation:
        """A stub: usage fields load what they need, keyed by this id."""
        return cls(id=id)
