"""Progressive override through the whole gateway: each request rolls the supergraph's
`percent(N)` labels (a seeded random source here, so the test is deterministic), plans with
the labels it got, and so reaches the overriding or the overridden subgraph; custom labels are
on only when the configuration enables them.

Supergraph: tests/fixtures/supergraphs/override. `Invoice.discount` moves from `legacy` to
`billing` under `percent(50)`, `Invoice.memo` under the custom label `beta-memos`.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from gateway.operation import PreparedOperation
from gateway.planning import OverrideLabels, PlanCache, RandomSource
from gateway.planning.nodes import QueryPlan
from gateway.server import GatewayConfig, create_app
from gateway.server.config import OverrideLabelsConfig
from gateway.supergraph import Supergraph
from tests.execution.harness import Subgraphs

SUPERGRAPH = Supergraph.from_sdl(
    (
        Path(__file__).parents[1] / "fixtures" / "supergraphs" / "override" / "supergraph.graphql"
    ).read_text(encoding="utf-8")
)
INVOICES = ("1", "2")


def _values(query: str, owner: str) -> dict[str, Any]:
    fields = {"discount": 50 if owner == "billing" else 0, "memo": f"{owner} memo"}
    return {name: value for name, value in fields.items() if name in query}


def billing(body: dict[str, Any]) -> dict[str, Any]:
    invoices = [
        {"__typename": "Invoice", "id": id, **_values(body["query"], "billing")} for id in INVOICES
    ]
    return {"data": {"invoices": invoices}}


def legacy(body: dict[str, Any]) -> dict[str, Any]:
    representations = body["variables"]["representations"]
    entities = [
        {"__typename": "Invoice", **_values(body["query"], "legacy")} for _ in representations
    ]
    return {"data": {"_entities": entities}}


@asynccontextmanager
async def gateway(
    random_source: RandomSource | None = None, config: GatewayConfig | None = None
) -> AsyncIterator[tuple[httpx.AsyncClient, Subgraphs]]:
    subgraphs = Subgraphs({"billing": billing, "legacy": legacy})
    app = create_app(
        SUPERGRAPH,
        config=config,
        transport=httpx.MockTransport(subgraphs),
        random_source=random_source,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield client, subgraphs
    await app.state.subgraph_client.aclose()


async def _query(client: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert "errors" not in body
    return body


async def test_a_percent_50_field_goes_to_each_subgraph_about_half_the_time() -> None:
    requests = 400
    async with gateway(random.Random(7)) as (client, subgraphs):
        answers = [
            (await _query(client, "{ invoices { discount } }"))["data"]["invoices"]
            for _ in range(requests)
        ]
    from_billing = sum(invoices == [{"discount": 50}] * 2 for invoices in answers)
    from_legacy = sum(invoices == [{"discount": 0}] * 2 for invoices in answers)
    assert from_billing + from_legacy == requests
    assert 0.4 * requests < from_billing < 0.6 * requests
    # Each request whose roll left the label off fetched the field from legacy, once.
    assert len(subgraphs.requests["legacy"]) == from_legacy
    assert len(subgraphs.requests["billing"]) == requests
    # Exactly the requests whose roll (same seed, same order) came up with the label on.
    labels = OverrideLabels.of(SUPERGRAPH)
    replay = random.Random(7)
    assert from_billing == sum("percent(50)" in labels.roll(replay) for _ in range(requests))


async def test_a_seeded_source_makes_the_sequence_of_subgraphs_repeatable() -> None:
    sequences = []
    for _ in range(2):
        async with gateway(random.Random(11)) as (client, _subgraphs):
            sequences.append(
                [
                    (await _query(client, "{ invoices { discount } }"))["data"]["invoices"][0]
                    for _ in range(40)
                ]
            )
    assert sequences[0] == sequences[1]
    assert {"discount": 50} in sequences[0]
    assert {"discount": 0} in sequences[0]


async def test_percent_100_always_overrides_percent_0_never() -> None:
    async with gateway(random.Random(3)) as (client, subgraphs):
        for _ in range(20):
            await _query(client, "{ invoices { status dueDate } }")
    # status (percent(100)) always comes from billing's root fetch; dueDate (percent(0))
    # always from legacy.
    assert all("status" in body["query"] for body in subgraphs.requests["billing"])
    assert all("dueDate" in body["query"] for body in subgraphs.requests["legacy"])
    assert len(subgraphs.requests["legacy"]) == 20


async def test_a_custom_label_is_off_unless_the_configuration_enables_it() -> None:
    query = "{ invoices { memo } }"
    async with gateway() as (client, subgraphs):
        body = await _query(client, query)
    assert body["data"]["invoices"] == [{"memo": "legacy memo"}] * 2
    assert "legacy" in subgraphs.requests

    config = GatewayConfig(override_labels=OverrideLabelsConfig(enabled=frozenset({"beta-memos"})))
    async with gateway(config=config) as (client, subgraphs):
        body = await _query(client, query)
    assert body["data"]["invoices"] == [{"memo": "billing memo"}] * 2
    assert "legacy" not in subgraphs.requests


class Refusing:
    def random(self) -> float:
        raise AssertionError("a supergraph without rolled labels rolls nothing")


async def test_without_labels_nothing_is_rolled_and_plans_get_no_labels() -> None:
    basics = Supergraph.from_sdl(
        (
            Path(__file__).parents[1] / "fixtures" / "supergraphs" / "basics" / "supergraph.graphql"
        ).read_text(encoding="utf-8")
    )
    cache = PlanCache(basics)
    seen: list[frozenset[str]] = []

    def planner(operation: PreparedOperation, labels: frozenset[str]) -> QueryPlan:
        seen.append(labels)
        return cache.get(operation, labels)

    products = {"data": {"topProducts": [{"upc": "1", "name": "Table"}]}}
    app = create_app(
        basics,
        transport=httpx.MockTransport(Subgraphs({"products": lambda _: products})),
        planner=planner,
        random_source=Refusing(),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        for _ in range(3):
            body = await _query(client, "{ topProducts { name } }")
            assert body["data"] == {"topProducts": [{"name": "Table"}]}
    await app.state.subgraph_client.aclose()
    assert seen == [frozenset()] * 3
    assert len(cache) == 1
