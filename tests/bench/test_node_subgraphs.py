"""The Node subgraphs (`python -m bench --node-subgraphs`) answer every request the gateways
sent in a recorded run exactly as the Python subgraphs do, and both fleets count the requests
they serve (`/_bench/requests`, the runner's subgraph requests per client request)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from bench.runner import Settings, SubgraphFleet
from bench.subgraphs import SUBGRAPHS
from bench.subgraphs.app import SubgraphApp
from tests.conftest import unavailable

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RECORDINGS = ("apollo_subgraph_requests.jsonl", "switchboard_subgraph_requests.jsonl")

pytestmark = pytest.mark.e2e


def recorded_requests() -> list[tuple[str, dict[str, Any]]]:
    lines = [line for name in RECORDINGS for line in (FIXTURES / name).read_bytes().splitlines()]
    # `_service { sdl }` is each library's own print of the SDL; the gateways read it only
    # when composing, never during a run.
    return [
        (entry["subgraph"], entry["request"])
        for entry in map(orjson.loads, lines)
        if "_service" not in entry["request"]["query"]
    ]


@pytest.fixture(scope="module")
def node_fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SubgraphFleet]:
    if shutil.which("npm") is None:
        unavailable("npm", FileNotFoundError("npm is not installed"))
    fleet = SubgraphFleet.start(
        tmp_path_factory.mktemp("node-fleet"), Settings(node_subgraphs=True)
    )
    yield fleet
    fleet.stop()


def test_node_subgraphs_answer_like_the_python_ones(node_fleet: SubgraphFleet) -> None:
    requests = recorded_requests()
    served_before = node_fleet.requests_served()
    with httpx.Client(timeout=30) as client:
        for subgraph, body in requests:
            expected = SubgraphApp(SUBGRAPHS[subgraph], cache=False).answer(orjson.dumps(body))
            answer = client.post(node_fleet.urls[subgraph], json=body)
            assert (answer.status_code, answer.json()) == (expected[0], orjson.loads(expected[1]))

    assert len(requests) == 28
    assert node_fleet.requests_served() - served_before == 28
