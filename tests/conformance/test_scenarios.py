"""Federation conformance: every case of every scenario, through the whole gateway.

The gateway is built from the scenario's supergraph — the checked-in one Apollo composed, and
the one our composer makes from the same SDLs — with the scenario's subgraph ASGI apps mounted
behind a `RoutingTransport`; the response must equal `expected.json` exactly (data in the
client's field order, errors in any order), and where a case is about batching, the subgraph
requests and representations sent must match its case.json.
"""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from tests.conformance.harness import Case, RoutingTransport, Scenario, all_cases, all_scenarios

CASES = all_cases()
SCENARIOS = all_scenarios()
COMPOSERS = ["apollo", "switchboard"]


def ordered(value: Any) -> Any:
    """A JSON value with object key order made significant, for comparing `data`."""
    if isinstance(value, dict):
        return [[key, ordered(item)] for key, item in value.items()]
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value


def error_key(error: dict[str, Any]) -> str:
    return json.dumps(error, sort_keys=True)


async def run_case(case: Case, composer: str = "apollo") -> tuple[dict[str, Any], RoutingTransport]:
    from gateway.server import GatewayConfig, create_app
    from gateway.server.config import SubgraphErrorsConfig
    from gateway.supergraph import Supergraph

    scenario = Scenario.load(case.scenario)
    scenario.reset()
    transport = scenario.transport()
    sdl = scenario.supergraph_sdl if composer == "apollo" else scenario.compose()
    app = create_app(
        Supergraph.from_sdl(sdl),
        transport=transport,
        # The scenarios check where subgraph errors land (shown as written) and introspection.
        config=GatewayConfig(
            include_subgraph_errors=SubgraphErrorsConfig(all=True), introspection=True
        ),
    )
    async with AsyncExitStack() as stack:
        # httpx's ASGITransport does not run the lifespan; the gateway may open its
        # subgraph client there.
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")
        )
        stack.push_async_callback(transport.aclose)
        response = await client.post(
            "/graphql",
            json=case.request_body(),
            headers={"accept": "application/json"},
        )
        body: dict[str, Any] = response.json()
    return body, transport


@pytest.mark.parametrize("composer", COMPOSERS)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_response_matches_expected(case: Case, composer: str) -> None:
    expected = case.expected
    body, transport = await run_case(case, composer)

    assert set(body) == set(expected), body
    assert ordered(body.get("data")) == ordered(expected.get("data")), body
    assert sorted(map(error_key, body.get("errors", []))) == sorted(
        map(error_key, expected.get("errors", []))
    ), body.get("errors")

    settings = case.settings
    if "subgraph_requests" in settings:
        declared = {name: count for name, count in settings["subgraph_requests"].items() if count}
        assert dict(transport.request_counts()) == declared, transport.requests
    if "representations" in settings:
        counts = transport.representation_counts()
        for subgraph, count in settings["representations"].items():
            assert counts[subgraph] == count, transport.requests


def test_every_scenario_has_cases() -> None:
    scenarios = {case.scenario for case in CASES}
    assert len(scenarios) >= 40
    for case in CASES:
        assert (case.directory / "operation.graphql").exists(), case.id
        assert (case.directory / "expected.json").exists(), case.id


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
def test_our_composition_equals_apollos(scenario: Scenario) -> None:
    from gateway.supergraph import Supergraph

    ours = scenario.compose()
    if ours != scenario.supergraph_sdl:
        # Not the same text: then at least the same model the gateway serves from.
        assert Supergraph.from_sdl(ours).types == Supergraph.from_sdl(scenario.supergraph_sdl).types
        assert (
            Supergraph.from_sdl(ours).graphs == Supergraph.from_sdl(scenario.supergraph_sdl).graphs
        )
