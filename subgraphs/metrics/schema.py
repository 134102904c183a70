"""The metrics subgraph's schema: usage on `App` and `Installation`, analyst queries, ingestion."""

from __future__ import annotations

from datetime import datetime

import strawberry

from subgraphs.common.context import Info
from subgraphs.common.errors import Forbidden
from subgraphs.common.pagination import PAGE_SIZE, Connection, PageRequest
from subgraphs.common.schema import SubgraphSchema
from subgraphs.metrics import aggregates, platform, recording
from subgraphs.metrics.entities import (
    DAYS_OF_BUCKETS,
    METRICS_READ,
    TOP_N,
    App,
    From,
    Installation,
    To,
    loaders_of,
    sees_all_usage,
    usage_key,
)
from subgraphs.metrics.loaders import SubjectKind
from subgraphs.metrics.models import OUTBOX
from subgraphs.metrics.platform import AppUsage
from subgraphs.metrics.ranges import UsageGranularity, check_limit, resolve_range
from subgraphs.metrics.records import UsageRecord, records_of_app
from subgraphs.metrics.types import UsageBucket

INGEST_SCOPE = "metrics:ingest"


def _require_analyst(info: Info) -> None:
    if not sees_all_usage(info.context.principal):
        raise Forbidden("Platform-wide usage is for analysts (metrics:read and platform:admin).")


@strawberry.type
class Query:
    @strawberry.federation.field(
        requires_scopes=METRICS_READ,
        authenticated=True,
        description="Usage of every caller together, anonymous ones included (analysts only).",
        directives=[DAYS_OF_BUCKETS],
    )
    async def platform_usage(
        self, info: Info, granularity: UsageGranularity, from_: From = None, to: To = None
    ) -> list[UsageBucket]:
        _require_analyst(info)
        key = await usage_key(info, SubjectKind.PLATFORM, "", from_, to, granularity)
        assert key is not None  # analysts see everything
        return aggregates.series(await loaders_of(info).usage.load(key), granularity)

    @strawberry.federation.field(
        requires_scopes=METRICS_READ,
        authenticated=True,
        description="The busiest apps by requests (analysts only).",
        directives=[TOP_N],
    )
    async def top_apps(
        self, info: Info, limit: int = 10, from_: From = None, to: To = None
    ) -> list[AppUsage]:
        _require_analyst(info)
        check_limit(limit)
        newest_end = await loaders_of(info).newest_end()
        return await platform.top_apps(
            info.context.database, resolve_range(from_, to, newest_end), limit
        )

    @strawberry.federation.field(
        requires_scopes=METRICS_READ,
        authenticated=True,
        description="An app's raw usage records, newest first (empty unless the app is yours).",
        directives=[PAGE_SIZE],
    )
    async def usage_records(
        self, info: Info, app_id: strawberry.ID, first: int | None = None, after: str | None = None
    ) -> Connection[UsageRecord]:
        page = PageRequest.of(first, after)
        principal = info.context.principal
        if not (sees_all_usage(principal) or str(app_id) in await loaders_of(info).visible_apps()):
            return page.connection([], 0)
        return await records_of_app(info.context.database, app_id, page)


@strawberry.input
class SubgraphTimingInput:
    subgraph: str
    duration_ms: float


@strawberry.input(description="One client request, as the gateway saw it.")
class UsageRecordInput:
    time: datetime
    operation_hash: str
    duration_ms: float
    app_id: strawberry.ID | None = strawberry.field(
        default=None, description="The calling app; none for anonymous callers and people."
    )
    installation_id: strawberry.ID | None = None
    workspace_id: strawberry.ID | None = None
    operation_name: str | None = None
    operation_kind: str | None = strawberry.field(
        default=None, description="query, mutation or subscription; none if it never parsed."
    )
    fields: list[str] = strawberry.field(default_factory=list)
    estimated_cost: int | None = None
    actual_cost: int | None = None
    error_count: int = 0
    error_codes: list[str] = strawberry.field(default_factory=list)
    http_status: int = 200
    subgraph_timings: list[SubgraphTimingInput] = strawberry.field(default_factory=list)

    def to_record(self) -> recording.UsageRecord:
        return recording.UsageRecord(
            occurred_at=self.time,
            app_id=None if self.app_id is None else str(self.app_id),
            installation_id=str(self.installation_id) if self.installation_id else None,
            workspace_id=str(self.workspace_id) if self.workspace_id else None,
            operation_kind=self.operation_kind,
            estimated_cost=self.estimated_cost,
            actual_cost=self.actual_cost,
            error_codes=tuple(self.error_codes),
            operation_name=self.operation_name or None,
            operation_hash=self.operation_hash,
            fields=tuple(self.fields),
            duration_ms=self.duration_ms,
            error_count=self.error_count,
            subgraph_timings={t.subgraph: t.duration_ms for t in self.subgraph_timings},
            http_status=self.http_status,
        )


@strawberry.type(description="An app whose requests in one hour reached the alert threshold.")
class ThresholdExceeded:
    app: App
    hour_start: datetime
    requests: int
    threshold: int


@strawberry.type
class RecordUsageResult:
    recorded: int
    thresholds_exceeded: list[ThresholdExceeded]


@strawberry.type
class Mutation:
    @strawberry.federation.field(
        requires_scopes=[[INGEST_SCOPE]],
        authenticated=True,
        description="Store a batch of usage records (the gateway calls this).",
    )
    async def record_usage(self, info: Info, records: list[UsageRecordInput]) -> RecordUsageResult:
        principal = info.context.principal
        if not (principal.is_admin or INGEST_SCOPE in principal.scopes):
            raise Forbidden(f"Recording usage needs the {INGEST_SCOPE} scope.")
        batch = [record.to_record() for record in records]
        recording.validate(batch)
        crossings = await recording.record_usage(
            info.context.database, batch, threshold=recording.HOURLY_REQUEST_THRESHOLD
        )
        if crossings:
            await OUTBOX.relay(info.context.database, info.context.bus)
        return RecordUsageResult(
            recorded=len(batch),
            thresholds_exceeded=[
                ThresholdExceeded(
                    app=App(id=strawberry.ID(crossing.app_id)),
                    hour_start=crossing.hour_start,
                    requests=crossing.requests,
                    threshold=crossing.threshold,
                )
                for crossing in crossings
            ],
        )


schema = SubgraphSchema(
    query=Query,
    mutation=Mutation,
    types=[App, Installation],
)
