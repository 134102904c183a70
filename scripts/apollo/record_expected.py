"""Record Apollo Gateway's responses to the conformance cases, as `expected.json`.

usage (from the repository root, after compose_scenarios.py):
    .venv/bin/python scripts/apollo/record_expected.py [SCENARIO ...]

For each scenario: serves its Strawberry subgraphs with uvicorn on free localhost ports (a
subgraph with a transport fault is pointed at a closed port), starts `node gateway.mjs` on a
copy of the supergraph whose routing URLs point at those ports, posts every case and writes the
response to `cases/<case>/expected.json`. A case whose case.json says
`"expected_source": "hand"` keeps its hand-written expected.json; Apollo's answer is written
beside it as `apollo-gateway.json` for comparison. Prints the subgraph requests Apollo made.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.conformance.harness import Scenario, all_scenarios, routing_url  # noqa: E402

HERE = Path(__file__).resolve().parent
CLOSED_PORT = 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Counting:
    """Wrap an ASGI app to count the GraphQL requests (and representations) it receives."""

    def __init__(self, name: str, app: Any, log: list[tuple[str, dict[str, Any]]]) -> None:
        self.name, self.app, self.log = name, app, log

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        self.log.append((self.name, json.loads(body or b"null")))
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class Subgraphs:
    """The scenario's subgraphs under uvicorn, in a background thread."""

    def __init__(self, scenario: Scenario) -> None:
        self.log: list[tuple[str, dict[str, Any]]] = []
        self.ports: dict[str, int] = {}
        self.servers: list[uvicorn.Server] = []
        for name in scenario.subgraph_names:
            if name in scenario.transport_faults:
                self.ports[name] = CLOSED_PORT
                continue
            port = self.ports[name] = free_port()
            app = Counting(name, scenario.module(name).app, self.log)
            config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
            self.servers.append(uvicorn.Server(config))
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def serve() -> None:
            await asyncio.gather(*(server.serve() for server in self.servers))

        asyncio.run(serve())

    def __enter__(self) -> Subgraphs:
        self.thread.start()
        while not all(server.started for server in self.servers):
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        for server in self.servers:
            server.should_exit = True
        self.thread.join(timeout=10)


def start_gateway(supergraph: str) -> tuple[subprocess.Popen[str], int, Path]:
    port = free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".graphql", delete=False) as handle:
        handle.write(supergraph)
    process = subprocess.Popen(
        ["node", str(HERE / "gateway.mjs"), handle.name, str(port)],
        cwd=HERE,
        stdout=subprocess.PIPE,
        text=True,
        # no cloud metadata probes: the gateway's telemetry must not reach off this machine
        env={
            "NODE_ENV": "production",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "METADATA_SERVER_DETECTION": "none",
            "OTEL_NODE_RESOURCE_DETECTORS": "none",
        },
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "ready" not in line:
        process.kill()
        raise RuntimeError(f"Apollo Gateway did not start: {line}")
    return process, port, Path(handle.name)


def as_contract(body: dict[str, Any]) -> dict[str, Any]:
    """Apollo Gateway names the failing subgraph `serviceName`; our contract (Router's) says
    `service`. graphql-core quotes names in validation messages with ' where graphql-js uses ".
    Nothing else is changed."""
    for error in body.get("errors", []):
        extensions = error.get("extensions") or {}
        if extensions.get("code") == "GRAPHQL_VALIDATION_FAILED":
            # graphql-core words validation errors as graphql-js does, but quotes names with '
            error["message"] = re.sub(r'"([^"]*)"', r"'\1'", error["message"])
        if "serviceName" in extensions:
            extensions["service"] = extensions.pop("serviceName")
    return body


def record(scenario: Scenario) -> None:
    with Subgraphs(scenario) as subgraphs:
        supergraph = scenario.supergraph_sdl
        for name, port in subgraphs.ports.items():
            supergraph = supergraph.replace(
                routing_url(name, scenario.name), f"http://127.0.0.1:{port}/graphql"
            )
        process, port, supergraph_file = start_gateway(supergraph)
        try:
            for case in scenario.cases():
                scenario.reset()
                subgraphs.log.clear()
                response = httpx.post(
                    f"http://127.0.0.1:{port}/",
                    json=case.request_body(),
                    headers={"apollo-require-preflight": "true"},
                    timeout=30,
                )
                body = as_contract(response.json())
                manual = case.settings.get("expected_source") == "hand"
                target = "apollo-gateway.json" if manual else "expected.json"
                (case.directory / target).write_text(json.dumps(body, indent=2) + "\n")
                requests = Counter(name for name, _ in subgraphs.log)
                representations = Counter()
                for name, request in subgraphs.log:
                    variables = (request or {}).get("variables") or {}
                    representations[name] += len(variables.get("representations") or [])
                print(
                    f"{case.id}: HTTP {response.status_code}"
                    f" requests={dict(requests)} representations={dict(+representations)}"
                    + (" (hand-written expected kept)" if manual else "")
                )
                declared = case.settings.get("subgraph_requests")
                if declared is not None and dict(requests) != {
                    name: count for name, count in declared.items() if count
                }:
                    print(f"  note: Apollo's requests differ from case.json {declared}")
        finally:
            process.terminate()
            process.wait()
            supergraph_file.unlink()
    scenario.reset()


def main(names: list[str]) -> int:
    scenarios = [Scenario.load(name) for name in names] if names else all_scenarios()
    for scenario in scenarios:
        record(scenario)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
