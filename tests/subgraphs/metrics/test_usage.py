"""Usage of apps and installations over seeded data: series, summaries, top lists, ranges."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from subgraphs.demo.world import DEMO_NOW
from subgraphs.metrics.traffic import OPERATIONS, generate
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.metrics.conftest import (
    ADMIN,
    SLICE_DAYS,
    SLICE_START,
    integration,
    slice_installations,
)

APP_USAGE = """
query($r: [_Any!]!, $granularity: UsageGranularity!, $from: DateTime, $to: DateTime) {
  _entities(representations: $r) {
    ... on App {
      id
      usage(granularity: $granularity, from: $from, to: $to) {
        start requests errors errorRate p50Ms p95Ms avgMs
      }
      usageSummary(from: $from, to: $to) { requests errors p50Ms p95Ms }
      topOperations(limit: 2, from: $from, to: $to) { name hash requests errors p95Ms }
      topFields(limit: 3, from: $from, to: $to) { coordinate requests }
    }
  }
}
"""


def busiest_app() -> tuple[str, int]:
    """The slice's app with the most installations, and the requests generated for it."""
    installations = slice_installations()
    app_id, _ = Counter(i.app_id for i in installations).most_common(1)[0]
    rows = generate(installations, days=SLICE_DAYS, now=DEMO_NOW).usage
    return app_id, sum(row["requests"] for row in rows if row["app_id"] == app_id)


async def app_usage(harness: SubgraphHarness, app_id: str, **variables: Any) -> dict[str, Any]:
    variables = {"r": [{"__typename": "App", "id": app_id}], "granularity": "HOUR", **variables}
    data = await harness.data(APP_USAGE, variables, principal=ADMIN)
    entity: dict[str, Any] = data["_entities"][0]
    return entity


async def test_app_usage_over_the_default_range_adds_up_to_the_generated_traffic(
    seeded: SubgraphHarness,
) -> None:
    app_id, generated = busiest_app()
    usage = await app_usage(seeded, app_id)

    assert usage["usageSummary"]["requests"] == generated
    buckets = usage["usage"]
    assert sum(bucket["requests"] for bucket in buckets) == generated
    assert sum(bucket["errors"] for bucket in buckets) == usage["usageSummary"]["errors"]
    # Hourly buckets over the last two days, ending at the newest data (the demo's now).
    assert len(buckets) == SLICE_DAYS * 24
    assert buckets[0]["start"] == SLICE_START.isoformat()
    assert buckets[-1]["start"] == (DEMO_NOW - timedelta(hours=1)).isoformat()
    for bucket in buckets:
        assert 0 < bucket["p50Ms"] <= bucket["p95Ms"]
        assert bucket["errorRate"] == round(bucket["errors"] / bucket["requests"], 5)
    summary = usage["usageSummary"]
    assert 0.002 < summary["errors"] / summary["requests"] < 0.05
    assert summary["p50Ms"] < summary["p95Ms"] < 10_000


async def test_daily_buckets_and_explicit_ranges(seeded: SubgraphHarness) -> None:
    app_id, generated = busiest_app()
    daily = (await app_usage(seeded, app_id, granularity="DAY"))["usage"]
    assert [bucket["start"] for bucket in daily] == [
        (SLICE_START + timedelta(days=day)).isoformat() for day in range(SLICE_DAYS)
    ]
    assert sum(bucket["requests"] for bucket in daily) == generated

    last_day = await app_usage(
        seeded,
        app_id,
        **{"from": (DEMO_NOW - timedelta(days=1)).isoformat(), "to": DEMO_NOW.isoformat()},
    )
    assert last_day["usageSummary"]["requests"] == daily[-1]["requests"]
    assert len(last_day["usage"]) == 24


async def test_top_operations_and_fields_are_the_apps_busiest(seeded: SubgraphHarness) -> None:
    app_id, generated = busiest_app()
    usage = await app_usage(seeded, app_id)
    operations = usage["topOperations"]
    known = {name for name, _ in OPERATIONS}
    assert len(operations) == 2
    assert {operation["name"] for operation in operations} <= known
    assert operations[0]["requests"] >= operations[1]["requests"] > 0
    assert sum(operation["requests"] for operation in operations) < generated
    assert all(operation["p95Ms"] > 0 for operation in operations)

    fields = usage["topFields"]
    assert len(fields) == 3
    coordinates = {coordinate for _, touched in OPERATIONS for coordinate in touched}
    assert {field["coordinate"] for field in fields} <= coordinates
    assert [field["requests"] for field in fields] == sorted(
        (field["requests"] for field in fields), reverse=True
    )


async def test_installation_usage(seeded: SubgraphHarness) -> None:
    installation = slice_installations()[0]
    rows = generate([installation], days=SLICE_DAYS, now=DEMO_NOW)
    data = await seeded.data(
        """query($r: [_Any!]!) { _entities(representations: $r) { ... on Installation {
            id usageSummary { requests errors } usage(granularity: DAY) { requests }
            topOperations { name requests } } } }""",
        {"r": [{"__typename": "Installation", "id": installation.id}]},
        principal=integration(installation.app_id),
    )
    usage = data["_entities"][0]
    assert usage["usageSummary"] == {
        "requests": sum(row["requests"] for row in rows.usage),
        "errors": sum(row["errors"] for row in rows.usage),
    }
    assert sum(bucket["requests"] for bucket in usage["usage"]) == usage["usageSummary"]["requests"]
    assert sum(op["requests"] for op in usage["topOperations"]) == sum(
        row["requests"] for row in rows.operations
    )


async def test_integrations_see_only_their_own_apps_usage(seeded: SubgraphHarness) -> None:
    app_id, generated = busiest_app()
    other = next(i for i in slice_installations() if i.app_id != app_id)
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on App {
          usageSummary { requests p50Ms }
          topOperations { name }
          usage(granularity: DAY) { requests }
        }
        ... on Installation { usageSummary { requests } topFields { coordinate } } } }"""
    representations = [
        {"__typename": "App", "id": app_id},
        {"__typename": "App", "id": other.app_id},
        {"__typename": "Installation", "id": other.id},
    ]
    own, foreign, foreign_installation = (
        await seeded.data(query, {"r": representations}, principal=integration(app_id))
    )["_entities"]
    assert own["usageSummary"]["requests"] == generated
    assert foreign == {
        "usageSummary": {"requests": 0, "p50Ms": None},
        "topOperations": [],
        "usage": [],
    }
    assert foreign_installation == {"usageSummary": {"requests": 0}, "topFields": []}

    anonymous = (await seeded.data(query, {"r": representations}))["_entities"]
    assert anonymous[0]["usageSummary"]["requests"] == 0


async def test_platform_usage_and_top_apps_for_administrators(seeded: SubgraphHarness) -> None:
    data = await seeded.data(
        """{ platformUsage(granularity: DAY) { start requests errors p95Ms }
             topApps(limit: 3) { app { id } requests errors p95Ms } }""",
        principal=ADMIN,
    )
    rows = generate(slice_installations(), days=SLICE_DAYS, now=DEMO_NOW).usage
    assert sum(bucket["requests"] for bucket in data["platformUsage"]) == sum(
        row["requests"] for row in rows
    )
    per_app: Counter[str] = Counter()
    for row in rows:
        per_app[row["app_id"]] += row["requests"]
    assert [(entry["app"]["id"], entry["requests"]) for entry in data["topApps"]] == (
        per_app.most_common(3)
    )

    app_id, _ = busiest_app()
    errors = await seeded.errors("{ topApps { requests } }", principal=integration(app_id))
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await seeded.errors("{ platformUsage(granularity: HOUR) { requests } }")
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_bad_ranges_and_limits_are_rejected(seeded: SubgraphHarness) -> None:
    app_id, _ = busiest_app()
    cases = [
        (
            "usage(granularity: HOUR, from: $from, to: $to) { requests }",
            {"from": DEMO_NOW.isoformat(), "to": SLICE_START.isoformat()},
            "from",
        ),
        (
            "usage(granularity: HOUR, from: $from, to: $to) { requests }",
            {"from": (DEMO_NOW - timedelta(days=91)).isoformat(), "to": DEMO_NOW.isoformat()},
            "from",
        ),
        (
            "usageSummary(from: $from, to: $to) { requests }",
            {"from": "2026-11-01T00:00:00", "to": None},
            "from",
        ),
        ("topOperations(limit: 0, from: $from, to: $to) { name }", {}, "limit"),
        ("topFields(limit: 101, from: $from, to: $to) { coordinate }", {}, "limit"),
    ]
    for selection, variables, argument in cases:
        errors = await seeded.errors(
            "query($r: [_Any!]!, $from: DateTime, $to: DateTime) { _entities(representations: $r)"
            f" {{ ... on App {{ {selection} }} }} }}",
            {"r": [{"__typename": "App", "id": app_id}], **variables},
            principal=ADMIN,
        )
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", selection
        assert errors[0]["extensions"]["argument"] == argument

    # Ninety days hourly is allowed, and so is a year by day.
    long_range = {"from": (DEMO_NOW - timedelta(days=365)).isoformat(), "to": DEMO_NOW.isoformat()}
    usage = await app_usage(seeded, app_id, granularity="DAY", **long_range)
    assert len(usage["usage"]) == SLICE_DAYS


async def test_sdl_extends_app_and_installation(seeded: SubgraphHarness) -> None:
    sdl = await seeded.sdl()
    assert 'type App @key(fields: "id")' in sdl
    assert 'type Installation @key(fields: "id")' in sdl
    assert '@requiresScopes(scopes: [["metrics:read"]])' in sdl
    assert '@requiresScopes(scopes: [["metrics:ingest"]])' in sdl
