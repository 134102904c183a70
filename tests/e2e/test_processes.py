"""The platform as separate processes over real HTTP: each subgraph started as
`python -m subgraphs.<name> --seed`, the gateway as `switchboard serve`, all trusting a test
issuer whose JWKS is served over HTTP; queried like the README does, with tokens, including the
forged-header attack and a subgraph killed mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from subgraphs.common.principal import ADMIN_SCOPE
from subgraphs.demo.world import world
from tests.issuer import TestIssuer
from tests.waiting import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SUBGRAPHS = ["apps", "installs", "marketplace", "metrics"]
SWITCHBOARD = Path(sys.executable).parent / "switchboard"
ANALYST_SCOPES = {ADMIN_SCOPE, "metrics:read", "installs:read"}
FORGED = {
    "x-switchboard-scopes": "platform:admin metrics:read installs:read installs:write",
    "x-switchboard-app-id": "app_build_watch",
}


def wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} not healthy after {seconds} s")


@dataclass
class Stack:
    gateway_url: str
    issuer: TestIssuer
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    subgraph_urls: dict[str, str] = field(default_factory=dict)

    def post(self, body: dict[str, Any], **headers: str) -> httpx.Response:
        return httpx.post(self.gateway_url, json=body, headers=headers, timeout=30)

    def analyst(self) -> dict[str, str]:
        return self.issuer.headers(sub="user_analyst", scopes=ANALYST_SCOPES)


@pytest.fixture(scope="module")
def issuer() -> Iterator[TestIssuer]:
    with TestIssuer().serve() as serving:
        yield serving


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, issuer: TestIssuer) -> Iterator[Stack]:
    directory = tmp_path_factory.mktemp("stack")
    environment = {
        **os.environ,
        "SWITCHBOARD_DATA_DIR": str(directory),
        "SWITCHBOARD_ISSUER": issuer.issuer,
    }
    environment.pop("DATABASE_URL", None)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    urls = {}
    try:
        for name in SUBGRAPHS:
            port = free_port()
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", f"subgraphs.{name}", "--port", str(port), "--seed"],
                cwd=ROOT,
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            urls[name] = f"http://127.0.0.1:{port}"
        config = directory / "switchboard.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "override_subgraph_url": {n: f"{u}/graphql" for n, u in urls.items()},
                    "auth": {"issuers": [{"issuer": issuer.issuer}]},
                    "subgraphs": {"timeout_ms": 10_000},
                    # Off by default in `serve`; on here to check browsers get it.
                    "graphiql": True,
                }
            )
        )
        for name, url in urls.items():
            wait_healthy(f"{url}/health", processes[name])
        gateway_port = free_port()
        processes["gateway"] = subprocess.Popen(
            [
                str(SWITCHBOARD), "serve",
                "--supergraph", "schema/supergraph.graphql",
                "--config", str(config),
                "--port", str(gateway_port),
            ],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_healthy(f"http://127.0.0.1:{gateway_port}/health", processes["gateway"])
        yield Stack(f"http://127.0.0.1:{gateway_port}/graphql", issuer, processes, urls)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_readme_listing_query(stack: Stack) -> None:
    query = (
        '{ listings(first: 3, category: "developer-tools") '
        "{ totalCount nodes { tagline averageRating app { name slug installCount } } } }"
    )
    response = stack.post({"query": query})
    assert response.status_code == 200
    listings = response.json()["data"]["listings"]
    assert listings["totalCount"] == 8
    assert [node["app"]["slug"] for node in listings["nodes"]] == [
        "audit-trail",
        "build-watch",
        "code-review-nudge",
    ]
    assert all(node["app"]["installCount"] > 0 for node in listings["nodes"])


def test_readme_featured_query_uses_requires_across_subgraphs(stack: Stack) -> None:
    query = (ROOT / "docs" / "examples" / "featured-apps.graphql").read_text()
    body = stack.post({"query": query}).json()
    assert "errors" not in body, body
    featured = body["data"]["featuredListings"]
    assert featured
    for listing in featured:
        app = listing["app"]
        assert app["status"] == "PUBLISHED"
        assert app["listingUrl"].endswith(f"/apps/{app['slug']}")


README_ANALYST = (
    '{ appBySlug(slug: "build-watch") { name installCount usageSummary { requests p95Ms } } }'
)
README_INTEGRATION = "{ installations(first: 5) { totalCount nodes { id app { slug } } } }"


def test_readme_analyst_example_with_a_token(stack: Stack) -> None:
    body = stack.post({"query": README_ANALYST}, **stack.analyst()).json()
    assert "errors" not in body, body
    assert body["data"]["appBySlug"]["usageSummary"]["requests"] > 0

    anonymous = stack.post({"query": README_ANALYST}).json()
    assert anonymous["data"] == {"appBySlug": None}  # usageSummary is non-null
    (error,) = anonymous["errors"]
    assert error["path"] == ["appBySlug", "usageSummary"]
    assert error["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"


def test_readme_integration_example_sees_only_its_own_installations(stack: Stack) -> None:
    app_id = world().app("build-watch").id
    headers = stack.issuer.headers(app=app_id, scopes={"installs:read"})
    body = stack.post({"query": README_INTEGRATION}, **headers).json()
    assert "errors" not in body, body
    installations = body["data"]["installations"]
    assert installations["totalCount"] > 0
    assert {node["app"]["slug"] for node in installations["nodes"]} == {"build-watch"}


def test_forged_principal_headers_get_nothing_private(stack: Stack) -> None:
    """The attack that used to work: one header made any caller a platform admin."""
    create = 'mutation { createWorkspace(input: {slug: "forged-ws", name: "Forged"}) { id } }'
    through_gateway = stack.post({"query": create}, **FORGED).json()
    assert through_gateway["errors"][0]["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"
    assert through_gateway["data"] is None
    forged = stack.post({"query": README_ANALYST}, **FORGED).json()
    assert forged["data"] == {"appBySlug": None}

    # Straight to the subgraphs, around the gateway: the headers count for nothing.
    installs = httpx.post(
        f"{stack.subgraph_urls['installs']}/graphql", json={"query": create}, headers=FORGED
    ).json()
    assert installs["data"] is None
    assert installs["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = httpx.post(
        f"{stack.subgraph_urls['installs']}/graphql",
        json={"query": "{ installations(first: 5) { totalCount } }"},
        headers=FORGED,
    ).json()
    assert listed["data"]["installations"]["totalCount"] == 0
    usage = httpx.post(
        f"{stack.subgraph_urls['metrics']}/graphql",
        json={"query": "{ platformUsage(granularity: DAY) { requests } }"},
        headers=FORGED,
    ).json()
    assert usage["data"] is None
    assert usage["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # A token the issuer never signed is refused by the gateway and by each subgraph.
    impostor = TestIssuer(stack.issuer.issuer, kid=stack.issuer.kid)
    bad = impostor.headers(scopes=ANALYST_SCOPES)
    assert stack.post({"query": README_ANALYST}, **bad).status_code == 401
    for url in stack.subgraph_urls.values():
        response = httpx.post(f"{url}/graphql", json={"query": "{ __typename }"}, headers=bad)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_parse_error_is_a_400_with_a_code(stack: Stack) -> None:
    response = httpx.post(
        stack.gateway_url,
        json={"query": "{ listings(first: "},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_graphiql_for_browsers(stack: Stack) -> None:
    response = httpx.get(stack.gateway_url, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_a_killed_subgraph_gives_partial_data(stack: Stack) -> None:
    """Runs last in this module: it stops the metrics subgraph for good."""
    metrics = stack.processes["metrics"]
    metrics.send_signal(signal.SIGTERM)
    metrics.wait(timeout=10)
    query = """{
      listed: appBySlug(slug: "build-watch") { name installCount }
      measured: appBySlug(slug: "audit-trail") { name usageSummary { requests } }
    }"""
    body = stack.post({"query": query}, **stack.analyst()).json()
    # `usageSummary` is non-null, so its failure nulls the nearest nullable parent only.
    assert body["data"]["listed"]["name"] == "Build Watch"
    assert body["data"]["listed"]["installCount"] > 0
    assert body["data"]["measured"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    assert error["extensions"]["service"] == "metrics"
    assert error["path"] == ["measured"]
