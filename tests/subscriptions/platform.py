"""The platform for subscription tests, as real processes: the subgraphs the events and their
entities come from (`python -m subgraphs.<name> --seed`: apps, installs, marketplace; metrics,
whose seeding alone takes longer than the others together, is left out) sharing a Redis stream
of their own, and `switchboard serve` following the same stream for revocations; all trust a
test issuer serving its JWKS over HTTP.

The gateway can be restarted (`restart_gateway`) on the same port, as a replica replacing
another would be, to show a client resuming across it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis
import yaml

from subgraphs.common.principal import ADMIN_SCOPE
from subgraphs.demo.world import Installation, world
from tests.conftest import REDIS_URL, unavailable
from tests.e2e.test_processes import wait_healthy
from tests.issuer import TestIssuer
from tests.waiting import free_port

ROOT = Path(__file__).resolve().parents[2]
SUBGRAPHS = ("apps", "installs", "marketplace")
# Where the gateway would send fetches for the subgraph left out: a port nothing listens on.
ABSENT = {"metrics": "http://127.0.0.1:9/graphql"}
SWITCHBOARD = Path(sys.executable).parent / "switchboard"
SUBSCRIBE = "events:subscribe"


@dataclass
class Platform:
    issuer: TestIssuer
    directory: Path
    stream: str
    subgraph_urls: dict[str, str]
    gateway_port: int
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Scope changes made per installation so far (each must change something to publish).
    changes: dict[str, int] = field(default_factory=dict)

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.gateway_port}/graphql"

    def environment(self) -> dict[str, str]:
        environment = {
            **os.environ,
            "SWITCHBOARD_DATA_DIR": str(self.directory),
            "SWITCHBOARD_ISSUER": self.issuer.issuer,
            "EVENT_BUS": "redis",
            "REDIS_URL": REDIS_URL,
            "EVENT_STREAM": self.stream,
        }
        environment.pop("DATABASE_URL", None)
        return environment

    def log(self, name: str) -> int:
        """The file a process writes its log to, beside its databases (read when a test
        fails)."""
        return os.open(self.directory / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)

    def start_subgraphs(self) -> None:
        for name in SUBGRAPHS:
            port = int(self.subgraph_urls[name].rsplit(":", 1)[1])
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", f"subgraphs.{name}", "--port", str(port), "--seed"],
                cwd=ROOT,
                env=self.environment(),
                stdout=subprocess.DEVNULL,
                stderr=self.log(name),
            )
        for name in SUBGRAPHS:
            wait_healthy(f"{self.subgraph_urls[name]}/health", self.processes[name])

    def start_gateway(self, **settings: Any) -> None:
        config = self.directory / "switchboard.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "override_subgraph_url": {
                        **ABSENT,
                        **{name: f"{url}/graphql" for name, url in self.subgraph_urls.items()},
                    },
                    "auth": {
                        "issuers": [{"issuer": self.issuer.issuer}],
                        "events_url": REDIS_URL,
                        "events_stream": self.stream,
                    },
                    "subgraphs": {"timeout_ms": 10_000},
                    **settings,
                }
            )
        )
        self.processes["gateway"] = subprocess.Popen(
            [
                str(SWITCHBOARD), "serve",
                "--supergraph", "schema/supergraph.graphql",
                "--config", str(config),
                "--port", str(self.gateway_port),
            ],
            cwd=ROOT,
            env=self.environment(),
            stdout=subprocess.DEVNULL,
            stderr=self.log("gateway"),
        )  # fmt: skip
        wait_healthy(f"http://127.0.0.1:{self.gateway_port}/health", self.processes["gateway"])

    def stop_gateway(self) -> int | None:
        process = self.processes.pop("gateway")
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            return None

    def restart_gateway(self) -> None:
        self.stop_gateway()
        self.start_gateway()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    # Tokens of the demo world's callers.

    def integration(self, installation: Installation, *scopes: str, **claims: Any) -> str:
        """An installation token (docs/design/tokens.md) for `installation`."""
        return self.issuer.token(
            app=installation.app_id,
            installation=installation.id,
            workspace=installation.workspace_id,
            sub=installation.app_id,
            scopes={SUBSCRIBE, *scopes},
            **claims,
        )

    def admin(self) -> str:
        return self.issuer.token(
            sub="user_admin", scopes={ADMIN_SCOPE, "installs:write", "installs:read"}
        )

    def post(self, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            self.http_url,
            json={"query": query, "variables": variables},
            headers=headers,
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


CHANGE_SCOPES = """
mutation($id: ID!, $scopes: [String!]!) {
  updateInstallationScopes(id: $id, scopes: $scopes) { id grantedScopes }
}
"""


def change_scopes(platform: Platform, installation: Installation) -> list[str]:
    """Publish one `installation.scopes_changed` event for `installation` through the gateway:
    its granted scopes alternate between all but the last and all of them."""
    done = platform.changes.get(installation.id, 0)
    platform.changes[installation.id] = done + 1
    scopes = list(installation.granted_scopes)
    granted = scopes if done % 2 else scopes[:-1]
    body = platform.post(CHANGE_SCOPES, platform.admin(), id=installation.id, scopes=granted)
    assert "errors" not in body, body
    return sorted(body["data"]["updateInstallationScopes"]["grantedScopes"])


def subscribing_installations() -> tuple[Installation, Installation]:
    """Two active installations of different apps, each granted two scopes or more."""
    found: list[Installation] = []
    for installation in world().installations:
        if installation.status != "ACTIVE" or len(installation.granted_scopes) < 2:
            continue
        if any(other.app_id == installation.app_id for other in found):
            continue
        found.append(installation)
        if len(found) == 2:
            return found[0], found[1]
    raise AssertionError("the demo world has no two such installations")


def platform_running(directory: Path) -> Iterator[Platform]:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        unavailable("Redis", error)
    stream = f"test:subscriptions:{uuid.uuid4().hex}"
    with TestIssuer().serve() as issuer:
        platform = Platform(
            issuer,
            directory,
            stream,
            {name: f"http://127.0.0.1:{free_port()}" for name in SUBGRAPHS},
            free_port(),
        )
        try:
            platform.start_subgraphs()
            platform.start_gateway()
            yield platform
        finally:
            platform.stop()
            client = redis.Redis.from_url(REDIS_URL)
            client.delete(stream, f"{stream}:last-id")
            client.close()
