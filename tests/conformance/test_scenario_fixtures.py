"""The scenarios themselves are sound, whatever the gateway does: each subgraph module still
prints the SDL its supergraph was composed from, answers in process, and every case is
complete. A failure here means a fixture drifted, not that the engine is wrong."""

from __future__ import annotations

import httpx
import pytest

from tests.conformance.harness import Scenario, all_scenarios, routing_url

SCENARIOS = all_scenarios()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
def test_checked_in_sdl_matches_subgraph_modules(scenario: Scenario) -> None:
    for subgraph in scenario.subgraph_names:
        checked_in = (scenario.directory / f"{subgraph}.graphql").read_text()
        assert scenario.sdl(subgraph) == checked_in, (
            f"run scripts/apollo/compose_scenarios.py {scenario.name}"
        )
        assert f'url: "{routing_url(subgraph, scenario.name)}"' in scenario.supergraph_sdl


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
async def test_subgraphs_answer_through_the_routing_transport(scenario: Scenario) -> None:
    transport = scenario.transport()
    async with httpx.AsyncClient(transport=transport) as client:
        for subgraph in scenario.subgraph_names:
            url = routing_url(subgraph, scenario.name)
            fault = scenario.transport_faults.get(subgraph)
            if fault is None:
                response = await client.post(url, json={"query": "{ __typename }"})
                assert response.status_code in (200, 500, 503), response.text
            else:
                expected = (
                    httpx.ConnectError if fault == "connection_refused" else httpx.ReadTimeout
                )
                with pytest.raises(expected):
                    await client.post(url, json={"query": "{ __typename }"})
    assert dict(transport.request_counts()) == dict.fromkeys(scenario.subgraph_names, 1)
    await transport.aclose()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
def test_every_case_is_complete(scenario: Scenario) -> None:
    cases = scenario.cases()
    assert cases
    for case in cases:
        expected = case.expected
        assert set(expected) <= {"data", "errors", "extensions"}, case.id
        assert "data" in expected or "errors" in expected, case.id
        if case.settings.get("expected_source") == "hand":
            assert case.settings.get("notes"), f"{case.id}: say why it is hand-written"
            # What Apollo Gateway said instead is kept beside it, for the comparison.
            assert (case.directory / "apollo-gateway.json").exists(), case.id
        # Every case whose plan is golden also has Apollo's plan beside it, for review.
        if (case.directory / "plan.txt").exists():
            assert (case.directory / "apollo.plan").exists(), case.id
