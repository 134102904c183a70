"""Demand control, rate limits and usage records through the gateway, in process, over the
platform supergraph with mock subgraphs (one item per list) and a test issuer's tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from gateway.auth import Authenticator, Revocations
from gateway.demand import CostFormula, DemandControlConfig
from gateway.ratelimit import RateLimitConfig
from gateway.ratelimit.config import AppLimits, Quota, Quotas
from gateway.server import GatewayConfig, create_app
from gateway.usage import UsageRecord, UsageRecorder
from tests.auth.harness import platform_supergraph
from tests.auth.mock_subgraphs import MockSubgraphs
from tests.issuer import TestIssuer

LISTINGS = "query Listings { listings(first: 5) { nodes { id tagline } } }"
APP = "app_metered"


class ListSink:
    def __init__(self) -> None:
        self.records: list[UsageRecord] = []

    async def send(self, records: Sequence[UsageRecord]) -> None:
        self.records.extend(records)

    async def close(self) -> None:
        return None


@dataclass
class Metered:
    client: httpx.AsyncClient
    subgraphs: MockSubgraphs
    issuer: TestIssuer
    recorder: UsageRecorder
    sink: ListSink

    async def post(self, query: str, **claims: Any) -> httpx.Response:
        headers = self.issuer.headers(**claims) if claims else {}
        headers["accept"] = "application/graphql-response+json"
        return await self.client.post("/graphql", json={"query": query}, headers=headers)

    async def records(self) -> list[UsageRecord]:
        await self.recorder.flush()
        return self.sink.records


@asynccontextmanager
async def metered(
    max_cost: int | None = None, rate_limits: RateLimitConfig | None = None
) -> AsyncIterator[Metered]:
    supergraph = platform_supergraph()
    issuer = TestIssuer()
    subgraphs = MockSubgraphs(supergraph.api_schema)
    sink = ListSink()
    config = GatewayConfig(
        demand_control=DemandControlConfig(enabled=True, max_cost=max_cost),
        rate_limits=rate_limits or RateLimitConfig(enabled=True),
    )
    app = create_app(
        supergraph,
        config=config,
        transport=httpx.MockTransport(subgraphs),
        authenticator=Authenticator(issuer.verifier(), Revocations()),
        usage_sink=sink,
    )
    recorder = app.state.pipeline.metering.recorder
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield Metered(client, subgraphs, issuer, recorder, sink)
    await app.state.subgraph_client.aclose()


async def test_every_answer_carries_its_cost_and_the_callers_buckets() -> None:
    # A cost bucket that refills slowly enough (0.01 a second) not to move during the test.
    slow = Quotas(
        requests=Quota(limit=600, window_seconds=60),
        cost=Quota(limit=1000, window_seconds=100_000),
    )
    async with metered(rate_limits=RateLimitConfig(enabled=True, installation=slow)) as gateway:
        response = await gateway.post(
            LISTINGS, app=APP, installation="inst_1", workspace="ws_1", scopes={"apps:read"}
        )
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["listings"]["nodes"] == [{"id": "id-1", "tagline": "text"}]
    # Estimated: listings 1 + 5 nodes x 1; actual: the one node the subgraph returned.
    assert body["extensions"]["cost"] == {
        "requestedQueryCost": 6,
        "actualQueryCost": 2,
        "throttleStatus": {
            "maximumAvailable": 1000,
            "currentlyAvailable": 998,
            "restoreRate": 0.01,
        },
    }
    assert response.headers["ratelimit-policy"] == (
        '"installation-requests";q=600;w=60, "installation-cost";q=1000;w=100000;qu="cost", '
        '"app-requests";q=6000;w=60'
    )
    assert response.headers["ratelimit"] == (
        '"installation-requests";r=599;t=1, "installation-cost";r=998;t=200, '
        '"app-requests";r=5999;t=1'
    )
    assert "retry-after" not in response.headers


async def test_the_actual_cost_is_counted_while_shaping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shaping counts it as it writes the response; the response is not walked again."""

    def walked(*_: object) -> int:
        raise AssertionError("the response was walked for its actual cost")

    async with metered() as gateway:
        monkeypatch.setattr(CostFormula, "actual", walked)
        response = await gateway.post(LISTINGS, app=APP, installation="inst_1")
        records = await gateway.records()
    assert response.json()["extensions"]["cost"]["actualQueryCost"] == 2
    assert [record.actual_cost for record in records] == [2]


async def test_too_expensive_is_refused_before_any_fetch_and_recorded_as_a_refusal() -> None:
    async with metered(max_cost=5) as gateway:
        response = await gateway.post(LISTINGS, app=APP, installation="inst_1")
        assert gateway.subgraphs.requests == []
        [record] = await gateway.records()
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {
        "code": "COST_ESTIMATED_TOO_EXPENSIVE",
        "cost": {"estimated": 6, "max": 5},
    }
    assert "data" not in response.json()
    assert record.app_id == APP
    assert record.operation_name == "Listings"
    assert record.error_codes == ("COST_ESTIMATED_TOO_EXPENSIVE",)
    assert record.estimated_cost == 6
    assert (record.fields, record.actual_cost, dict(record.subgraph_timings)) == ((), None, {})
    assert record.http_status == 400


async def test_an_empty_bucket_answers_429_with_retry_after_and_fetches_nothing() -> None:
    limits = RateLimitConfig(
        enabled=True,
        installation=Quotas(requests=Quota(limit=2, window_seconds=60)),
        app=Quotas(),
    )
    async with metered(rate_limits=limits) as gateway:
        answers = [await gateway.post(LISTINGS, app=APP, installation="inst_1") for _ in range(3)]
        fetched = len(gateway.subgraphs.requests)
        other = await gateway.post(LISTINGS, app=APP, installation="inst_2")
        records = await gateway.records()
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    refused = answers[2]
    assert fetched == 2
    assert refused.headers["retry-after"] == "30"
    assert refused.headers["ratelimit"] == '"installation-requests";r=0;t=60'
    assert refused.headers["ratelimit-policy"] == '"installation-requests";q=2;w=60'
    [error] = refused.json()["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfterSeconds": 30}
    assert refused.json()["extensions"]["cost"]["requestedQueryCost"] == 6
    # Another installation of the same app has its own bucket.
    assert other.status_code == 200
    assert [record.http_status for record in records] == [200, 200, 429, 200]
    assert records[2].fields == ()
    assert records[2].error_codes == ("RATE_LIMITED",)


async def test_a_per_app_override_replaces_the_default_limits() -> None:
    limits = RateLimitConfig(
        enabled=True,
        installation=Quotas(requests=Quota(limit=1, window_seconds=60)),
        app=Quotas(),
        apps={APP: AppLimits(installation=Quotas(requests=Quota(limit=3, window_seconds=60)))},
    )
    async with metered(rate_limits=limits) as gateway:
        mine = [(await gateway.post(LISTINGS, app=APP)).status_code for _ in range(4)]
        others = [(await gateway.post(LISTINGS, app="app_other")).status_code for _ in range(2)]
    assert mine == [200, 200, 200, 429]
    assert others == [200, 429]


async def test_usage_records_carry_the_caller_the_operation_and_its_fetches() -> None:
    async with metered() as gateway:
        await gateway.post(
            LISTINGS, app=APP, installation="inst_1", workspace="ws_1", scopes={"apps:read"}
        )
        await gateway.post("{ listings(first: 1) { totalCount } }")
        await gateway.post("{ nope }")
        integration, anonymous, invalid = await gateway.records()
    assert (integration.app_id, integration.installation_id, integration.workspace_id) == (
        APP,
        "inst_1",
        "ws_1",
    )
    assert integration.operation_name == "Listings"
    assert integration.operation_kind == "query"
    assert integration.fields == (
        "Listing.id",
        "Listing.tagline",
        "ListingConnection.nodes",
        "Query.listings",
    )
    assert (integration.estimated_cost, integration.actual_cost) == (6, 2)
    assert set(integration.subgraph_timings) == {"marketplace"}
    assert (integration.http_status, integration.error_count) == (200, 0)
    # Anonymous callers are recorded too, under no app.
    assert (anonymous.app_id, anonymous.installation_id) == (None, None)
    assert anonymous.fields == ("ListingConnection.totalCount", "Query.listings")
    # An operation that does not validate is a refusal: its code, no fields.
    assert invalid.error_codes == ("GRAPHQL_VALIDATION_FAILED",)
    assert invalid.fields == ()
    assert invalid.http_status == 400
    assert len(invalid.operation_hash) == 64
