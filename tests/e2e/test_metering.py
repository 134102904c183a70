"""Usage metering and rate limits end to end: the four subgraphs and two gateways as their own
processes, on a Redis bus and Redis rate-limit buckets, trusting a test issuer that also hands
the gateways their ingestion token (client credentials).

Three integrations call the gateways; within seconds an analyst reads their usage (counts,
errors, p95, top fields) through the gateway, an integration and an app's owners read only
their own, an operation refused before execution leaves only its refusal, and the metrics
subgraph's `usage.threshold_exceeded` fires from this traffic. The two gateways share one
installation's request bucket: together they let through no more than its limit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import redis
import yaml

from subgraphs.common.principal import ADMIN_SCOPE
from subgraphs.common.redis_bus import _decode
from subgraphs.demo.world import Installation, world
from tests.conftest import REDIS_URL, unavailable
from tests.e2e.test_processes import SUBGRAPHS, SWITCHBOARD, wait_healthy
from tests.issuer import TestIssuer
from tests.waiting import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
INGEST_CLIENT = "switchboard-resource-server"
INGEST_SECRET = "e2e-ingest-secret"
ALERT_AT = 4  # requests per app and hour that publish usage.threshold_exceeded
LIMIT = 5  # requests the rate-limited installation may make at once
MAX_COST = 500
T = TypeVar("T")

LISTINGS = "query Listings { listings(first: 3) { nodes { tagline app { name } } } }"
INSTALLATIONS = "query Mine { installations(first: 2) { nodes { id } } }"
# featuredListings accepts at most 100: the subgraph answers an error (cost 500, allowed).
TOO_MANY_FEATURED = "query Featured { featuredListings(first: 500) { id } }"
# 1 + 100 x (1 + 1 + 100) = 10,201 > MAX_COST: refused before any fetch.
EXPENSIVE = (
    "query Expensive { listings(first: 100) { nodes { reviews(first: 100) { nodes { id } } } } }"
)


@dataclass
class Metered:
    gateways: list[str]
    issuer: TestIssuer
    stream: str
    started: datetime

    def post(self, query: str, gateway: int = 0, **claims: Any) -> httpx.Response:
        headers = self.issuer.headers(**claims) if claims else {}
        return httpx.post(
            self.gateways[gateway], json={"query": query}, headers=headers, timeout=30
        )

    def window(self) -> str:
        start = self.started.replace(minute=0, second=0, microsecond=0)
        return f'from: "{start.isoformat()}", to: "{(start + timedelta(hours=2)).isoformat()}"'


def integration(index: int) -> Installation:
    """The `index`-th active installation of a distinct app."""
    seen: dict[str, Installation] = {}
    for installation in world().installations:
        if installation.status == "ACTIVE":
            seen.setdefault(installation.app_id, installation)
    return list(seen.values())[index]


def claims_of(installation: Installation) -> dict[str, Any]:
    return {
        "app": installation.app_id,
        "installation": installation.id,
        "workspace": installation.workspace_id,
        "scopes": {"installs:read", "metrics:read"},
    }


def poll(check: Callable[[], T], accept: Callable[[T], bool], seconds: float = 15) -> T:
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if accept(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


@pytest.fixture(scope="module")
def metered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Metered]:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        unavailable("Redis", error)
    directory = tmp_path_factory.mktemp("metering")
    stream = f"test:metering:{uuid.uuid4().hex}"
    prefix = f"test:ratelimit:{uuid.uuid4().hex}"
    issuer = TestIssuer()
    issuer.clients[INGEST_CLIENT] = (INGEST_SECRET, frozenset({"metrics:ingest"}))
    processes: dict[str, subprocess.Popen[bytes]] = {}
    with issuer.serve():
        environment = {
            **os.environ,
            "SWITCHBOARD_DATA_DIR": str(directory),
            "SWITCHBOARD_ISSUER": issuer.issuer,
            "EVENT_BUS": "redis",
            "REDIS_URL": REDIS_URL,
            "EVENT_STREAM": stream,
            "SWITCHBOARD_USAGE_ALERT_REQUESTS_PER_HOUR": str(ALERT_AT),
            # The usage history is not needed (the test reads only this hour) and slow to seed.
            "SWITCHBOARD_SEED_USAGE_DAYS": "0",
        }
        environment.pop("DATABASE_URL", None)
        try:
            urls = {}
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
            limited = integration(3)
            config = directory / "switchboard.yaml"
            config.write_text(
                yaml.safe_dump(
                    {
                        "override_subgraph_url": {n: f"{u}/graphql" for n, u in urls.items()},
                        "auth": {"issuers": [{"issuer": issuer.issuer}]},
                        "subgraphs": {"timeout_ms": 10_000},
                        "demand_control": {"enabled": True, "max_cost": MAX_COST},
                        "rate_limits": {
                            "enabled": True,
                            "redis_url": REDIS_URL,
                            "key_prefix": prefix,
                            "apps": {
                                limited.app_id: {
                                    "installation": {
                                        "requests": {"limit": LIMIT, "window_seconds": 60}
                                    }
                                }
                            },
                        },
                        "usage": {
                            "enabled": True,
                            "credentials": {
                                "token_url": f"{issuer.issuer}/oauth/token",
                                "client_id": INGEST_CLIENT,
                                "client_secret": INGEST_SECRET,
                            },
                            "flush_interval_ms": 100,
                        },
                    }
                )
            )
            for name, url in urls.items():
                wait_healthy(f"{url}/health", processes[name])
            gateways = []
            for index in range(2):
                port = free_port()
                processes[f"gateway{index}"] = subprocess.Popen(
                    [
                        str(SWITCHBOARD), "serve",
                        "--supergraph", "schema/supergraph.graphql",
                        "--config", str(config),
                        "--port", str(port),
                    ],
                    cwd=ROOT,
                    env=environment,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
                gateways.append(f"http://127.0.0.1:{port}")
            for index, url in enumerate(gateways):
                wait_healthy(f"{url}/health", processes[f"gateway{index}"])
            yield Metered([f"{url}/graphql" for url in gateways], issuer, stream, datetime.now(UTC))
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
            client = redis.Redis.from_url(REDIS_URL)
            client.delete(stream, f"{stream}:last-id", *client.scan_iter(f"{prefix}:*"))
            client.close()


def usage_of(metered: Metered, slug: str, **claims: Any) -> dict[str, Any] | None:
    window = metered.window()
    query = (
        f'{{ appBySlug(slug: "{slug}") {{ usageSummary({window}) {{ requests errors p95Ms }} '
        f"topFields({window}, limit: 50) {{ coordinate requests }} }} }}"
    )
    body = metered.post(query, **claims).json()
    assert "errors" not in body, body
    app: dict[str, Any] | None = body["data"]["appBySlug"]
    return app


def analyst() -> dict[str, Any]:
    return {"sub": "user_analyst", "scopes": {ADMIN_SCOPE, "metrics:read"}}


def slug_of(installation: Installation) -> str:
    return next(app.slug for app in world().apps if app.id == installation.app_id)


def test_three_integrations_usage_is_read_by_an_analyst_within_seconds(metered: Metered) -> None:
    first, second, third = integration(0), integration(1), integration(2)
    for _ in range(3):
        assert metered.post(LISTINGS, **claims_of(first)).status_code == 200
    failing = metered.post(TOO_MANY_FEATURED, gateway=1, **claims_of(first)).json()
    assert failing["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert failing["extensions"]["cost"]["requestedQueryCost"] == 500
    refused = metered.post(EXPENSIVE, **claims_of(first))
    assert refused.json()["errors"][0]["extensions"]["code"] == "COST_ESTIMATED_TOO_EXPENSIVE"
    for _ in range(2):
        mine = metered.post(INSTALLATIONS, gateway=1, **claims_of(second)).json()
        assert "errors" not in mine, mine
    assert metered.post(LISTINGS, **claims_of(third)).status_code == 200
    assert metered.post(LISTINGS).status_code == 200  # anonymous: recorded under no app

    usage = poll(
        lambda: usage_of(metered, slug_of(first), **analyst()),
        lambda app: app is not None and app["usageSummary"]["requests"] == 5,
    )
    assert usage is not None
    summary = usage["usageSummary"]
    assert (summary["requests"], summary["errors"]) == (5, 2)
    assert summary["p95Ms"] > 0
    fields = {field["coordinate"]: field["requests"] for field in usage["topFields"]}
    assert fields == {
        "Query.listings": 3,
        "ListingConnection.nodes": 3,
        "Listing.tagline": 3,
        "Listing.app": 3,
        "App.name": 3,
        "Query.featuredListings": 1,
        "Listing.id": 1,
    }  # nothing of the refused operation (Listing.reviews, Review.id)
    second_usage = poll(
        lambda: usage_of(metered, slug_of(second), **analyst()),
        lambda app: app is not None and app["usageSummary"]["requests"] == 2,
    )
    assert second_usage is not None
    assert second_usage["usageSummary"]["errors"] == 0
    third_usage = poll(
        lambda: usage_of(metered, slug_of(third), **analyst()),
        lambda app: app is not None and app["usageSummary"]["requests"] == 1,
    )
    assert third_usage is not None

    records = metered.post(
        f'{{ usageRecords(appId: "{first.app_id}", first: 10) {{ totalCount nodes {{ '
        "operationName errorCodes fields estimatedCost actualCost httpStatus "
        "installation { id } workspaceId subgraphTimings { subgraph } } } }",
        **analyst(),
    ).json()["data"]["usageRecords"]
    assert records["totalCount"] == 5
    refusal = next(n for n in records["nodes"] if n["operationName"] == "Expensive")
    assert refusal == {
        "operationName": "Expensive",
        "errorCodes": ["COST_ESTIMATED_TOO_EXPENSIVE"],
        "fields": [],
        "estimatedCost": 10_201,
        "actualCost": None,
        "httpStatus": 400,
        "installation": {"id": first.id},
        "workspaceId": first.workspace_id,
        "subgraphTimings": [],
    }
    listing = next(n for n in records["nodes"] if n["operationName"] == "Listings")
    assert listing["estimatedCost"] == 1 + 3 * (1 + 1)
    assert {timing["subgraph"] for timing in listing["subgraphTimings"]} == {
        "marketplace",
        "apps",
    }


def test_an_integration_and_its_owners_see_their_own_usage_only(metered: Metered) -> None:
    first, second = integration(0), integration(1)
    metered.post(LISTINGS, **claims_of(first))
    own = poll(
        lambda: usage_of(metered, slug_of(first), **claims_of(first)),
        lambda app: app is not None and app["usageSummary"]["requests"] > 0,
    )
    assert own is not None
    other = usage_of(metered, slug_of(second), **claims_of(first))
    assert other is not None
    assert other["usageSummary"]["requests"] == 0
    assert other["topFields"] == []

    organization = next(app.organization_id for app in world().apps if app.id == first.app_id)
    owner = {"sub": "user_owner", "org": organization, "scopes": {"metrics:read"}}
    owned = usage_of(metered, slug_of(first), **owner)
    assert owned is not None
    # The integration's own reads are its traffic too: counts only grow meanwhile.
    assert owned["usageSummary"]["requests"] >= own["usageSummary"]["requests"]
    second_owner = next(app.organization_id for app in world().apps if app.id == second.app_id)
    if second_owner != organization:
        stranger = usage_of(metered, slug_of(second), **owner)
        assert stranger is not None
        assert stranger["usageSummary"]["requests"] == 0
    # platform:admin without metrics:read is not an analyst.
    reviewer = {"sub": "user_reviewer", "scopes": {ADMIN_SCOPE}}
    body = metered.post("{ topApps(limit: 3) { requests } }", **reviewer).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"


def test_the_threshold_event_fires_from_real_traffic(metered: Metered) -> None:
    first, third = integration(0), integration(2)
    for _ in range(ALERT_AT):
        metered.post(LISTINGS, **claims_of(first))
    client = redis.Redis.from_url(REDIS_URL)

    def alerts() -> set[str]:
        events = [_decode(i.decode(), f[b"event"]) for i, f in client.xrange(metered.stream)]
        return {e.app_id or "" for e in events if e.type.value == "usage.threshold_exceeded"}

    fired = poll(alerts, lambda apps: first.app_id in apps)
    client.close()
    assert first.app_id in fired
    assert third.app_id not in fired  # one request this hour, below the threshold


def test_two_gateways_share_one_installations_bucket(metered: Metered) -> None:
    limited = integration(3)
    answers = [
        metered.post(INSTALLATIONS, gateway=index % 2, **claims_of(limited))
        for index in range(LIMIT + 4)
    ]
    statuses = [answer.status_code for answer in answers]
    # A burst of LIMIT; one more comes back every 60 / LIMIT = 12 s, longer than this takes.
    assert statuses == [200] * LIMIT + [429] * 4
    remaining = [answer.headers["ratelimit"].split(", ")[0] for answer in answers[:LIMIT]]
    assert [part.split(";")[1] for part in remaining] == ["r=4", "r=3", "r=2", "r=1", "r=0"]
    refused = answers[LIMIT]
    policy = refused.headers["ratelimit-policy"].split(", ")[0]
    assert policy == f'"installation-requests";q={LIMIT};w=60'
    assert 1 <= int(refused.headers["retry-after"]) <= 12
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
