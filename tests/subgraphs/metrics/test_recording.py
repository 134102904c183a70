"""`recordUsage`: raw rows, rollups that add up across batches, validation, threshold events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from subgraphs.common.events import EventType
from subgraphs.common.principal import Principal
from subgraphs.demo.world import DEMO_NOW
from subgraphs.metrics import recording
from subgraphs.metrics.owners import record_owners
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.metrics.conftest import ADMIN, INGEST, integration

HOUR = DEMO_NOW - timedelta(hours=3)
APP = "app_recorded"
OTHER_APP = "app_other"
RECORD = """mutation($records: [UsageRecordInput!]!) {
  recordUsage(records: $records) { recorded thresholdsExceeded { app { id } hourStart requests } }
}"""
SUMMARY = """query($r: [_Any!]!) { _entities(representations: $r) { ... on App {
  usage(granularity: HOUR) { start requests errors p50Ms p95Ms avgMs }
  usageSummary { requests errors p50Ms p95Ms }
  topOperations { name hash requests errors }
  topFields { coordinate requests } } } }"""


def record(duration_ms: float, **overrides: Any) -> dict[str, Any]:
    return {
        "time": (HOUR + timedelta(minutes=10)).isoformat(),
        "appId": APP,
        "installationId": "inst_recorded",
        "operationName": "AppProfile",
        "operationHash": "hash-app-profile",
        "fields": ["Query.app", "App.name"],
        "durationMs": duration_ms,
        "errorCount": 0,
        "httpStatus": 200,
        "subgraphTimings": [{"subgraph": "apps", "durationMs": duration_ms / 2}],
        **overrides,
    }


async def summary_of(harness: SubgraphHarness, app_id: str = APP) -> dict[str, Any]:
    data = await harness.data(
        SUMMARY, {"r": [{"__typename": "App", "id": app_id}]}, principal=ADMIN
    )
    entity: dict[str, Any] = data["_entities"][0]
    return entity


async def test_recorded_usage_is_rolled_up_across_batches(empty: SubgraphHarness) -> None:
    first = [record(20), record(30), record(300, errorCount=2, httpStatus=200)]
    result = await empty.data(RECORD, {"records": first}, principal=INGEST)
    assert result["recordUsage"] == {"recorded": 3, "thresholdsExceeded": []}
    second = [
        record(40, operationName="Search", operationHash="hash-search", fields=["Query.search"]),
        record(3000, installationId=None),
    ]
    await empty.data(RECORD, {"records": second}, principal=INGEST)

    usage = await summary_of(empty)
    # One hourly bucket; both batches' histograms merged: 20 ms in (10, 25], 30 and 40 ms in
    # (25, 50], 300 ms in (250, 400], 3000 ms in (2500, 5000]. p50 is rank 2.5, 1.5 of the 2
    # requests into (25, 50]: 25 + 25 x 0.75 = 43.75; p95 is rank 4.75: 2500 + 2500 x 0.75.
    assert usage["usage"] == [
        {
            "start": HOUR.isoformat(),
            "requests": 5,
            "errors": 1,
            "p50Ms": 43.8,
            "p95Ms": 4375.0,
            "avgMs": 678.0,
        }
    ]
    assert usage["usageSummary"] == {"requests": 5, "errors": 1, "p50Ms": 43.8, "p95Ms": 4375.0}
    assert usage["topOperations"] == [
        {"name": "AppProfile", "hash": "hash-app-profile", "requests": 4, "errors": 1},
        {"name": "Search", "hash": "hash-search", "requests": 1, "errors": 0},
    ]
    assert usage["topFields"] == [
        {"coordinate": "App.name", "requests": 4},
        {"coordinate": "Query.app", "requests": 4},
        {"coordinate": "Query.search", "requests": 1},
    ]


async def test_raw_records_page_newest_first(empty: SubgraphHarness) -> None:
    batch = [
        record(10 * minute, time=(HOUR + timedelta(minutes=minute)).isoformat())
        for minute in range(5)
    ]
    await empty.data(RECORD, {"records": batch}, principal=INGEST)
    query = """query($after: String) {
      usageRecords(appId: "app_recorded", first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { time durationMs app { id } installation { id } fields
                subgraphTimings { subgraph durationMs } } } }"""
    seen: list[float] = []
    after = None
    while True:
        page = (await empty.data(query, {"after": after}, principal=integration(APP)))[
            "usageRecords"
        ]
        assert page["totalCount"] == 5
        seen += [node["durationMs"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [40.0, 30.0, 20.0, 10.0, 0.0]
    node = page["nodes"][0]
    assert node["app"] == {"id": APP}
    assert node["installation"] == {"id": "inst_recorded"}
    assert node["subgraphTimings"] == [{"subgraph": "apps", "durationMs": 0.0}]

    hidden = await empty.data(query, {"after": None}, principal=integration(OTHER_APP))
    assert hidden["usageRecords"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("bad", "index"),
    [
        ({"durationMs": -1}, 1),
        ({"errorCount": -1}, 1),
        ({"httpStatus": 42}, 1),
        ({"time": "2026-11-19T21:00:00"}, 1),
        ({"time": (datetime.now(UTC) + timedelta(hours=2)).isoformat()}, 1),
        ({"fields": ["not a coordinate"]}, 1),
        ({"operationHash": ""}, 1),
        ({"subgraphTimings": [{"subgraph": "apps", "durationMs": -3}]}, 1),
    ],
)
async def test_invalid_records_are_rejected_with_their_index(
    empty: SubgraphHarness, bad: dict[str, Any], index: int
) -> None:
    records = [record(10), record(10, **bad), record(10)]
    errors = await empty.errors(RECORD, {"records": records}, principal=INGEST)
    assert errors[0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "argument": "records",
        "index": index,
    }
    # Nothing of the batch was stored.
    assert (await summary_of(empty))["usageSummary"]["requests"] == 0


async def test_batches_are_limited_and_need_the_ingest_scope(empty: SubgraphHarness) -> None:
    too_many = [record(1)] * (recording.MAX_RECORDS_PER_CALL + 1)
    errors = await empty.errors(RECORD, {"records": too_many}, principal=INGEST)
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "records"}

    errors = await empty.errors(RECORD, {"records": [record(1)]}, principal=integration(APP))
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"

    # The largest allowed batch goes through in one call (and its chunked upserts).
    many = [
        record(i % 500, fields=[f"Type{i % 7}.field{i}"], operationHash=f"hash-{i % 13}")
        for i in range(recording.MAX_RECORDS_PER_CALL)
    ]
    result = await empty.data(RECORD, {"records": many}, principal=INGEST)
    assert result["recordUsage"]["recorded"] == recording.MAX_RECORDS_PER_CALL
    assert (await summary_of(empty))["usageSummary"]["requests"] == recording.MAX_RECORDS_PER_CALL


async def test_threshold_event_is_published_once_per_app_and_hour(
    empty: SubgraphHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recording, "HOURLY_REQUEST_THRESHOLD", 5)

    async def send(*records: dict[str, Any]) -> list[dict[str, Any]]:
        result = await empty.data(RECORD, {"records": list(records)}, principal=INGEST)
        exceeded: list[dict[str, Any]] = result["recordUsage"]["thresholdsExceeded"]
        return exceeded

    assert await send(record(1), record(1), record(1, installationId="inst_two")) == []
    assert empty.bus.published == []
    crossed = await send(record(1), record(1, installationId=None), record(1, appId=OTHER_APP))
    assert crossed == [{"app": {"id": APP}, "hourStart": HOUR.isoformat(), "requests": 5}]
    assert await send(record(1), record(1)) == []  # already over in this hour: no second alert
    next_hour = (HOUR + timedelta(hours=1, minutes=5)).isoformat()
    assert len(await send(*[record(1, time=next_hour)] * 6)) == 1

    events = empty.bus.published
    assert [(event.type, event.app_id) for event in events] == [
        (EventType.USAGE_THRESHOLD_EXCEEDED, APP),
        (EventType.USAGE_THRESHOLD_EXCEEDED, APP),
    ]
    assert events[0].payload == {
        "appId": APP,
        "hourStart": HOUR.isoformat(),
        "requests": 5,
        "threshold": 5,
    }


async def test_anonymous_records_count_for_the_platform_not_for_any_app(
    empty: SubgraphHarness,
) -> None:
    anonymous = record(
        10, appId=None, installationId=None, operationHash="hash-anon", estimatedCost=3
    )
    refused = record(
        1,
        errorCount=1,
        errorCodes=["RATE_LIMITED"],
        httpStatus=429,
        fields=[],
        subgraphTimings=[],
        workspaceId="ws_1",
        operationKind="query",
        estimatedCost=6,
    )
    await empty.data(RECORD, {"records": [anonymous, refused]}, principal=INGEST)
    window = f'from: "{HOUR.isoformat()}", to: "{(HOUR + timedelta(hours=1)).isoformat()}"'
    data = await empty.data(
        f"{{ platformUsage(granularity: HOUR, {window}) {{ requests errors }} "
        f"topApps({window}) {{ app {{ id }} requests }} }}",
        principal=ADMIN,
    )
    assert data["platformUsage"] == [{"requests": 2, "errors": 1}]
    assert data["topApps"] == [{"app": {"id": APP}, "requests": 1}]
    records = await empty.data(
        f'{{ usageRecords(appId: "{APP}") {{ nodes {{ errorCodes httpStatus fields '
        "workspaceId operationKind estimatedCost actualCost } } }",
        principal=ADMIN,
    )
    assert records["usageRecords"]["nodes"] == [
        {
            "errorCodes": ["RATE_LIMITED"],
            "httpStatus": 429,
            "fields": [],
            "workspaceId": "ws_1",
            "operationKind": "query",
            "estimatedCost": 6,
            "actualCost": None,
        }
    ]


async def test_owners_read_their_apps_usage_and_a_reviewer_reads_none(
    empty: SubgraphHarness,
) -> None:
    await record_owners(empty.database, [(APP, "org_owner"), (OTHER_APP, "org_else")])
    await empty.data(
        RECORD, {"records": [record(10), record(20, appId=OTHER_APP)]}, principal=INGEST
    )
    owner = Principal(organization_id="org_owner", scopes=frozenset({"metrics:read"}))
    reviewer = Principal(user_id="user_reviewer", scopes=frozenset({"platform:admin"}))
    query = (
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on App { "
        f'usageSummary(from: "{HOUR.isoformat()}") {{ requests }} }} }} }}'
    )
    both = {"r": [{"__typename": "App", "id": APP}, {"__typename": "App", "id": OTHER_APP}]}
    seen = await empty.data(query, both, principal=owner)
    assert [entity["usageSummary"]["requests"] for entity in seen["_entities"]] == [1, 0]
    seen = await empty.data(query, both, principal=reviewer)
    assert [entity["usageSummary"]["requests"] for entity in seen["_entities"]] == [0, 0]
    seen = await empty.data(query, both, principal=ADMIN)
    assert [entity["usageSummary"]["requests"] for entity in seen["_entities"]] == [1, 1]
