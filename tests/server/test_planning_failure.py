"""No valid request gets a 500, and no unplannable one gets made-up data: an operation the
planner cannot plan on a supergraph it was given (here corrupted ones) is answered with
`data: null` and one `QUERY_PLANNING_FAILED` error carrying the trace id, and the operation is
logged for whoever has to fix the planner or the supergraph.

- `shared_root_split`: no subgraph resolves `Member.plan` any more;
- `interface_field_per_type`: `Cat.name` was overridden away from zoo and is now external in
  cats too. zoo still answers `Animal.name` for every animal, but its Cat names are stale:
  planned per implementation, the Cat's has nowhere to come from, and the answer is the error,
  never zoo's value.
"""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.conformance.harness import Scenario

CORRUPTIONS = {
    "shared_root_split": (
        "query Viewer { viewer { name plan } }",
        "plan: String! @join__field(graph: BILLING)",
        "plan: String! @join__field(graph: BILLING, external: true)",
    ),
    "interface_field_per_type": (
        "query Animals { animals { id name } }",
        '@join__field(graph: CATS, override: "zoo")',
        "@join__field(graph: CATS, external: true)",
    ),
}


def corrupted_supergraph(scenario: str) -> str:
    _, intact, broken = CORRUPTIONS[scenario]
    sdl = Scenario.load(scenario).supergraph_sdl
    assert intact in sdl
    return sdl.replace(intact, broken)


@pytest.mark.parametrize("scenario", sorted(CORRUPTIONS))
async def test_planning_failure_is_a_coded_graphql_error(
    scenario: str, caplog: pytest.LogCaptureFixture
) -> None:
    from gateway.server import create_app
    from gateway.supergraph import Supergraph

    operation = CORRUPTIONS[scenario][0]
    transport = Scenario.load(scenario).transport()
    app = create_app(Supergraph.from_sdl(corrupted_supergraph(scenario)), transport=transport)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as client,
    ):
        with caplog.at_level(logging.ERROR, logger="gateway.server"):
            response = await client.post(
                "/graphql", json={"query": operation}, headers={"accept": "application/json"}
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
    assert operation in record.getMessage()
    assert "PlanningError" in (record.exc_text or "")
    assert transport.requests == []
