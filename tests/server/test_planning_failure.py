"""No valid request gets a 500: an operation the planner cannot plan on a supergraph it was
given (here a corrupted one: no subgraph resolves `Member.plan` any more) is answered with
`data: null` and one `QUERY_PLANNING_FAILED` error carrying the trace id, and the operation is
logged for whoever has to fix the planner or the supergraph."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.conformance.harness import Scenario

OPERATION = "query Viewer { viewer { name plan } }"


def corrupted_supergraph() -> str:
    sdl = Scenario.load("shared_root_split").supergraph_sdl
    broken = sdl.replace(
        "plan: String! @join__field(graph: BILLING)",
        "plan: String! @join__field(graph: BILLING, external: true)",
    )
    assert broken != sdl
    return broken


async def test_planning_failure_is_a_coded_graphql_error(caplog: pytest.LogCaptureFixture) -> None:
    from gateway.server import create_app
    from gateway.supergraph import Supergraph

    scenario = Scenario.load("shared_root_split")
    transport = scenario.transport()
    app = create_app(Supergraph.from_sdl(corrupted_supergraph()), transport=transport)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as client,
    ):
        with caplog.at_level(logging.ERROR, logger="gateway.server"):
            response = await client.post(
                "/graphql", json={"query": OPERATION}, headers={"accept": "application/json"}
            )
    await transport.aclose()

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == "The gateway could not plan this operation."
    assert error["extensions"]["code"] == "QUERY_PLANNING_FAILED"
    trace_id = error["extensions"]["traceId"]
    [record] = [r for r in caplog.records if "query planning failed" in r.getMessage()]
    assert trace_id in record.getMessage()
    assert OPERATION in record.getMessage()
    assert "PlanningError" in (record.exc_text or "")
    assert transport.requests == []
