"""Load conformance scenarios and mount their subgraphs in process.

A scenario is a package under `scenarios/`:

    scenario.json         {"description", "subgraphs": [names, in composition order],
                           "transport_faults": {subgraph: "connection_refused" | "timeout"}}
    <subgraph>.py         a Strawberry federation subgraph: `schema`, `app` (ASGI), optionally
                          `SDL` (hand-written SDL for composition, e.g. Fed 1 style) and
                          `reset()` (restore its in-memory data before each case)
    <subgraph>.graphql    the SDL composition was given
    supergraph.graphql    composed by scripts/apollo/compose_scenarios.py
    cases/<case>/operation.graphql
    cases/<case>/case.json       optional: variables, operation_name, subgraph_requests,
                                 representations, expected_source, notes
    cases/<case>/expected.json   the exact response

Routing URLs are `http://<subgraph>.<scenario with - for _>.test/graphql`.
"""

from __future__ import annotations

import importlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from gateway.execution.asgi_router import AsgiRouterTransport

SCENARIOS = Path(__file__).parent / "scenarios"
CONNECTION_REFUSED = "Connection refused"


def routing_host(subgraph: str, scenario: str) -> str:
    return f"{subgraph}.{scenario.replace('_', '-')}.test"


def routing_url(subgraph: str, scenario: str) -> str:
    return f"http://{routing_host(subgraph, scenario)}/graphql"


@dataclass(frozen=True)
class Case:
    scenario: str
    name: str
    directory: Path

    @property
    def operation(self) -> str:
        return (self.directory / "operation.graphql").read_text()

    @property
    def settings(self) -> dict[str, Any]:
        path = self.directory / "case.json"
        return json.loads(path.read_text()) if path.exists() else {}

    @property
    def variables(self) -> dict[str, Any] | None:
        variables: dict[str, Any] | None = self.settings.get("variables")
        return variables

    @property
    def operation_name(self) -> str | None:
        name: str | None = self.settings.get("operation_name")
        return name

    @property
    def expected(self) -> dict[str, Any]:
        expected: dict[str, Any] = json.loads((self.directory / "expected.json").read_text())
        return expected

    def request_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"query": self.operation}
        if self.variables is not None:
            body["variables"] = self.variables
        if self.operation_name is not None:
            body["operationName"] = self.operation_name
        return body

    @property
    def id(self) -> str:
        return f"{self.scenario}/{self.name}"


@dataclass(frozen=True)
class Scenario:
    name: str
    directory: Path
    description: str
    subgraph_names: tuple[str, ...]
    transport_faults: dict[str, str]

    @classmethod
    def load(cls, name: str) -> Scenario:
        directory = SCENARIOS / name
        spec = json.loads((directory / "scenario.json").read_text())
        return cls(
            name=name,
            directory=directory,
            description=spec["description"],
            subgraph_names=tuple(spec["subgraphs"]),
            transport_faults=dict(spec.get("transport_faults", {})),
        )

    def module(self, subgraph: str) -> ModuleType:
        return importlib.import_module(f"tests.conformance.scenarios.{self.name}.{subgraph}")

    def sdl(self, subgraph: str) -> str:
        """The SDL handed to composition: the module's own `SDL`, else what `_service` says."""
        module = self.module(subgraph)
        hand_written: str | None = getattr(module, "SDL", None)
        if hand_written is not None:
            return hand_written.strip() + "\n"
        result = module.schema.execute_sync("{ _service { sdl } }")
        assert result.errors is None, result.errors
        return str(result.data["_service"]["sdl"]).strip() + "\n"

    def reset(self) -> None:
        for subgraph in self.subgraph_names:
            reset = getattr(self.module(subgraph), "reset", None)
            if reset is not None:
                reset()

    @property
    def supergraph_sdl(self) -> str:
        """Composed by Apollo's composition (checked in)."""
        return (self.directory / "supergraph.graphql").read_text()

    def compose(self) -> str:
        """Composed by the gateway's own composer from the same SDLs and routing URLs."""
        from gateway.composition import CompositionFailure, SubgraphDefinition, compose

        result = compose(
            [
                SubgraphDefinition(name, routing_url(name, self.name), self.sdl(name))
                for name in self.subgraph_names
            ]
        )
        assert not isinstance(result, CompositionFailure), result.errors
        return result.supergraph_sdl

    def cases(self) -> list[Case]:
        cases_directory = self.directory / "cases"
        return [
            Case(self.name, path.name, path)
            for path in sorted(cases_directory.iterdir())
            if path.is_dir()
        ]

    def transport(self) -> RoutingTransport:
        apps = {
            routing_host(subgraph, self.name): self.module(subgraph).app
            for subgraph in self.subgraph_names
            if subgraph not in self.transport_faults
        }
        faults = {
            routing_host(subgraph, self.name): fault
            for subgraph, fault in self.transport_faults.items()
        }
        names = {routing_host(subgraph, self.name): subgraph for subgraph in self.subgraph_names}
        return RoutingTransport(apps, faults, names)


def all_scenarios() -> list[Scenario]:
    return [
        Scenario.load(path.name)
        for path in sorted(SCENARIOS.iterdir())
        if (path / "scenario.json").exists()
    ]


def all_cases() -> list[Case]:
    return [case for scenario in all_scenarios() for case in scenario.cases()]


@dataclass
class RoutingTransport(httpx.AsyncBaseTransport):
    """Dispatch each request to the ASGI app mounted for its host, recording what was sent.

    A host listed in `faults` fails the way the network would: `connection_refused` raises
    `httpx.ConnectError("Connection refused")`, `timeout` raises `httpx.ReadTimeout` (what httpx
    raises when the fetch timeout passes, without the suite having to wait for it).
    """

    apps: dict[str, Any]
    faults: dict[str, str]
    subgraph_by_host: dict[str, str]
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    router: AsgiRouterTransport = field(init=False)

    def __post_init__(self) -> None:
        self.router = AsgiRouterTransport(self.apps)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        subgraph = self.subgraph_by_host.get(host, host)
        body = json.loads(await request.aread() or b"null")
        self.requests.append((subgraph, body))
        fault = self.faults.get(host)
        if fault == "connection_refused" or (fault is None and host not in self.apps):
            raise httpx.ConnectError(CONNECTION_REFUSED, request=request)
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        return await self.router.handle_async_request(request)

    def request_counts(self) -> Counter[str]:
        return Counter(subgraph for subgraph, _ in self.requests)

    def representation_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for subgraph, body in self.requests:
            variables = (body or {}).get("variables") or {}
            # A batched request carries one list per fetch (`representations0`, ...).
            for name, value in variables.items():
                if name.startswith("representations") and isinstance(value, list):
                    counts[subgraph] += len(value)
        return counts

    async def aclose(self) -> None:
        await self.router.aclose()
