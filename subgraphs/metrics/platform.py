"""Platform-wide questions for analysts: every app's traffic, and the busiest apps."""

from __future__ import annotations

from collections import defaultdict

import strawberry
from sqlalchemy import func
from sqlmodel import col, select

from subgraphs.common.database import Database
from subgraphs.metrics import histogram
from subgraphs.metrics.entities import App
from subgraphs.metrics.models import NO_APP, UsageHourlyRow
from subgraphs.metrics.ranges import TimeRange


@strawberry.type(description="One app's share of platform traffic.")
class AppUsage:
    app: App
    requests: int
    errors: int
    p95_ms: float | None


async def top_apps(database: Database, time_range: TimeRange, limit: int) -> list[AppUsage]:
    """Rank apps by requests in SQL, then merge histograms for the winners only. Callers
    without an app count in the platform's totals, not here."""
    row = UsageHourlyRow
    in_range = (
        col(row.hour_start) >= time_range.start,
        col(row.hour_start) < time_range.end,
        col(row.app_id) != NO_APP,
    )
    requests = func.sum(row.requests)
    ranking = (
        select(row.app_id, requests, func.sum(row.errors))
        .where(*in_range)
        .group_by(col(row.app_id))
        .order_by(requests.desc(), col(row.app_id))
        .limit(limit)
    )
    async with database.session() as session:
        ranked = (await session.exec(ranking)).all()
        latencies: dict[str, list[list[int]]] = defaultdict(list)
        if ranked:
            statement = select(row.app_id, row.latency_histogram).where(
                *in_range, col(row.app_id).in_([app_id for app_id, _, _ in ranked])
            )
            for app_id, latency in (await session.exec(statement)).all():
                latencies[app_id].append(latency)
    return [
        AppUsage(
            app=App(id=strawberry.ID(app_id)),
            requests=int(total),
            errors=int(errors),
            p95_ms=histogram.quantile(histogram.merged(latencies[app_id]), 0.95),
        )
        for app_id, total, errors in ranked
    ]
