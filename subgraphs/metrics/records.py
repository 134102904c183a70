"""Raw usage records, newest first: what an integration's recent requests looked like."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlmodel import col, select

from subgraphs.common.database import Database
from subgraphs.common.pagination import Connection, PageRequest, paginate
from subgraphs.metrics.entities import App, Installation
from subgraphs.metrics.models import UsageRecordRow
from subgraphs.metrics.ranges import as_utc


@strawberry.type
class SubgraphTiming:
    subgraph: str
    duration_ms: float


@strawberry.type(description="One request as the gateway recorded it.")
class UsageRecord:
    time: datetime
    app: App | None
    installation: Installation | None
    workspace_id: strawberry.ID | None
    operation_name: str | None
    operation_hash: str
    operation_kind: str | None
    fields: list[str] = strawberry.field(description='Schema coordinates touched, "Type.field".')
    estimated_cost: int | None
    actual_cost: int | None
    duration_ms: float
    error_count: int
    error_codes: list[str]
    http_status: int
    subgraph_timings: list[SubgraphTiming]


def to_node(row: UsageRecordRow) -> UsageRecord:
    return UsageRecord(
        time=as_utc(row.occurred_at),
        app=App(id=strawberry.ID(row.app_id)) if row.app_id else None,
        installation=(
            Installation(id=strawberry.ID(row.installation_id)) if row.installation_id else None
        ),
        workspace_id=strawberry.ID(row.workspace_id) if row.workspace_id else None,
        operation_name=row.operation_name,
        operation_hash=row.operation_hash,
        operation_kind=row.operation_kind,
        fields=list(row.fields),
        estimated_cost=row.estimated_cost,
        actual_cost=row.actual_cost,
        duration_ms=row.duration_ms,
        error_count=row.error_count,
        error_codes=list(row.error_codes),
        http_status=row.http_status,
        subgraph_timings=[
            SubgraphTiming(subgraph=name, duration_ms=ms)
            for name, ms in sorted(row.subgraph_timings.items())
        ],
    )


async def records_of_app(
    database: Database, app_id: str, page: PageRequest
) -> Connection[UsageRecord]:
    statement = (
        select(UsageRecordRow)
        .where(UsageRecordRow.app_id == app_id)
        .order_by(col(UsageRecordRow.occurred_at).desc(), col(UsageRecordRow.id).desc())
    )
    async with database.session() as session:
        return await paginate(session, statement, page, to_node)
