"""A request can neither freeze the gateway nor make it grow: large operations are refused by
limits or worked on off the event loop, and the caches only keep what validated."""

from __future__ import annotations

import threading

from gateway.operation import PreparedOperation
from gateway.planning.nodes import QueryPlan
from tests.server.harness import gateway, single_fetch_planner


def fan_out(levels: int) -> str:
    fragments = ['fragment F0 on Query { product(upc: "1") { upc } }']
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)]
    return f"query Fan {{ ...F{levels - 1} }}\n" + "\n".join(fragments)


async def test_a_twenty_level_fragment_fan_out_is_refused_before_planning() -> None:
    planned: list[PreparedOperation] = []

    def planner(operation: PreparedOperation, labels: frozenset[str]) -> QueryPlan:
        planned.append(operation)
        return single_fetch_planner(operation, labels)

    async with gateway(planner=planner) as (client, subgraphs):
        response = await client.post("/graphql", json={"query": fan_out(20)})
        state = client._transport.app.state  # type: ignore[attr-defined]

    assert response.json()["errors"][0]["extensions"]["code"] == "MAX_HEIGHT_LIMIT"
    assert planned == []
    assert subgraphs.requests == {}
    assert len(state.pipeline.state.operations) == 0


async def test_a_large_operation_is_planned_off_the_event_loop() -> None:
    threads: list[int] = []

    def planner(operation: PreparedOperation, labels: frozenset[str]) -> QueryPlan:
        threads.append(threading.get_ident())
        return single_fetch_planner(operation, labels)

    async with gateway(planner=planner) as (client, _):
        small = await client.post("/graphql", json={"query": fan_out(2)})
        large = await client.post("/graphql", json={"query": fan_out(10)})

    assert small.status_code == large.status_code == 200
    assert threads[0] == threading.get_ident()
    assert threads[1] != threading.get_ident()
