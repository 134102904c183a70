"""`App` and `Installation`, owned elsewhere, extended here with their usage.

This subgraph holds no rows for either entity: a reference resolves to a stub with its id, and
every usage field loads the entity's rollups through the request's dataloaders.

Visibility, from the verified token's claims: an analyst (`metrics:read` with `platform:admin`)
sees every app's usage; an integration (a token with an app) sees its own app and that app's
installations; a member of a publisher organization sees the same for the apps the organization
owns (`app_owner`, replicated from the apps subgraph's events); anyone else sees no traffic. An
installation of another app is not an error, it just has no traffic, which tells the caller
nothing about it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, NamedTuple

import strawberry
from strawberry.federation.schema_directives import ListSize

from subgraphs.common.context import Info
from subgraphs.common.principal import Principal
from subgraphs.metrics import aggregates
from subgraphs.metrics.loaders import Loaders, SubjectKind, UsageKey
from subgraphs.metrics.ranges import UsageGranularity, check_limit, resolve_range
from subgraphs.metrics.types import FieldUsage, OperationUsage, UsageBucket, UsageSummary

METRICS_READ_SCOPE = "metrics:read"
# Demand control: rankings hold `limit` entries; a series is assumed to cover a month of days.
TOP_N = ListSize(slicing_arguments=["limit"], require_one_slicing_argument=False)
DAYS_OF_BUCKETS = ListSize(assumed_size=31, require_one_slicing_argument=False)
METRICS_READ = [[METRICS_READ_SCOPE]]
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
    if sees_all_usage(info.context.principal):
        return UsageKey(kind, subject_id, time_range)
    visible = await loaders.visible_apps()
    if not visible or kind is SubjectKind.PLATFORM:
        return None
    if kind is SubjectKind.APP and subject_id not in visible:
        return None
    owners = visible if kind is SubjectKind.INSTALLATION else None
    return UsageKey(kind, subject_id, time_range, owners)


def sees_all_usage(principal: Principal) -> bool:
    """Analysts: platform staff whose token also carries `metrics:read`."""
    return principal.is_admin and METRICS_READ_SCOPE in principal.scopes


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

    def field(resolver: Any, description: str, directives: tuple[object, ...] = ()) -> Any:
        return strawberry.federation.field(
            resolver=resolver,
            description=description,
            requires_scopes=METRICS_READ,
            authenticated=True,
            directives=directives,
        )

    return UsageFields(
        usage=field(usage, "Requests, errors and latency per hour or day.", (DAYS_OF_BUCKETS,)),
        usage_summary=field(usage_summary, "Totals and latency percentiles over the range."),
        top_operations=field(
            top_operations, "The most requested operations, busiest first.", (TOP_N,)
        ),
        top_fields=field(top_fields, "The most requested schema fields, busiest first.", (TOP_N,)),
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
