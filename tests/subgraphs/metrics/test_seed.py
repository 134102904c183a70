"""The full demo seed, once per backend: a month of believable traffic for the whole world."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import select

from subgraphs.demo.world import DEMO_NOW, USAGE_DAYS, world
from subgraphs.metrics.models import UsageHourlyRow
from subgraphs.metrics.seed import active_installations, seed
from subgraphs.metrics.subgraph import SUBGRAPH
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.metrics.conftest import ADMIN

PLATFORM = """{
  platformUsage(granularity: DAY) { start requests errors errorRate p50Ms p95Ms avgMs }
  topApps(limit: 5) { app { id } requests errors p95Ms }
}"""


async def test_full_seed_covers_every_active_installation_for_a_month(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness(SUBGRAPH, seed=True)
    await seed(harness.database)  # idempotent: a second run adds nothing
    async with harness.database.session() as session:
        installations = (
            await session.exec(select(func.count(func.distinct(UsageHourlyRow.installation_id))))
        ).one()
        rows = (await session.exec(select(func.count()).select_from(UsageHourlyRow))).one()
    assert installations == len(active_installations()) == 293
    # Hourly for the last 7 days, daily before: 293 x (7 x 24 + 23) rows, less silent hours.
    assert 50_000 < rows <= 293 * (7 * 24 + 23)

    data = await harness.data(PLATFORM, principal=ADMIN)
    days = data["platformUsage"]
    assert [datetime.fromisoformat(day["start"]) for day in days] == [
        DEMO_NOW - timedelta(days=USAGE_DAYS - day) for day in range(USAGE_DAYS)
    ]
    for day in days:
        assert 0.005 <= day["errorRate"] <= 0.03
        assert 0 < day["p50Ms"] < day["p95Ms"] < 2_500
        assert day["avgMs"] > day["p50Ms"]  # log-normal latencies: a long right tail
    weekdays = [
        day["requests"] for day in days if datetime.fromisoformat(day["start"]).weekday() < 5
    ]
    weekends = [
        day["requests"] for day in days if datetime.fromisoformat(day["start"]).weekday() >= 5
    ]
    assert max(weekends) < 0.6 * min(weekdays)

    top = data["topApps"]
    app_ids = {app.id for app in world().apps}
    assert all(entry["app"]["id"] in app_ids for entry in top)
    assert [entry["requests"] for entry in top] == sorted(
        (entry["requests"] for entry in top), reverse=True
    )
    assert sum(entry["requests"] for entry in top) < sum(day["requests"] for day in days)

    hours = await harness.data(
        """{ platformUsage(granularity: HOUR,
                           from: "2026-11-18T00:00:00Z", to: "2026-11-19T00:00:00Z")
             { start requests } }""",
        principal=ADMIN,
    )
    by_hour = [bucket["requests"] for bucket in hours["platformUsage"]]
    assert len(by_hour) == 24
    assert by_hour[3] < by_hour[14] / 3  # night in Europe and the Americas vs the afternoon
