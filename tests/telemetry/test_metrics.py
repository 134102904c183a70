"""`/metrics` after traffic, read with prometheus-client's own parser."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.execution import AsgiRouterTransport
from gateway.server import GatewayConfig, create_app
from gateway.server.config import LimitsConfig
from tests.server.federated import products, users
from tests.server.test_federated import SUPERGRAPH

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def grown(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def reviews_down(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 502, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def test_metrics_count_requests_fetches_caches_and_refusals() -> None:
    apps: dict[str, ASGIApp] = {
        "products": products.app,
        "reviews": reviews_down,
        "users": users.app,
    }
    app = create_app(
        SUPERGRAPH,
        config=GatewayConfig(limits=LimitsConfig(max_depth=3)),
        transport=AsgiRouterTransport(apps),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        before = await scrape(client)
        for _ in range(3):
            ok = await client.post(
                "/graphql", json={"query": "query MetricsNames { topProducts { name } }"}
            )
            assert "errors" not in ok.json()
        await client.post(
            "/graphql", json={"query": "query MetricsReviews { topProducts { reviews { body } } }"}
        )
        await client.post(
            "/graphql",
            json={
                "query": "query MetricsTypo { topProduct { name } }",
                "operationName": "MetricsTypo",
            },
        )
        too_deep = "query MetricsDeep { topProducts { reviews { author { username } } } }"
        refused = await client.post(
            "/graphql", json={"query": too_deep, "operationName": "MetricsDeep"}
        )
        assert refused.json()["errors"][0]["extensions"]["code"] == "MAX_DEPTH_LIMIT"
        after = await scrape(client)
    await app.state.subgraph_client.aclose()

    def requests(operation: str, status: str) -> float:
        return grown(
            before,
            after,
            "switchboard_requests_total",
            operation=operation,
            status=status,
            app="unknown",
        )

    assert requests("MetricsNames", "success") == 3
    assert requests("MetricsReviews", "partial") == 1
    assert requests("MetricsTypo", "request_error") == 1
    assert requests("MetricsDeep", "request_error") == 1
    assert (
        grown(before, after, "switchboard_request_duration_seconds_count", operation="MetricsNames")
        == 3
    )
    assert (
        grown(
            before, after, "switchboard_subgraph_fetch_duration_seconds_count", subgraph="products"
        )
        == 4
    )
    assert (
        grown(
            before,
            after,
            "switchboard_subgraph_fetch_errors_total",
            subgraph="reviews",
            code="SUBREQUEST_HTTP_ERROR",
        )
        == 1
    )
    assert (
        grown(before, after, "switchboard_refusals_total", reason="limit", code="MAX_DEPTH_LIMIT")
        == 1
    )
    # Refused operations are counted under the name the client sent (they have no other).
    # Four distinct documents, the first repeated twice: operations 2 hits, plans 2 hits.
    assert (
        grown(before, after, "switchboard_cache_lookups_total", cache="operations", result="hit")
        == 2
    )
    assert grown(before, after, "switchboard_cache_lookups_total", cache="plans", result="hit") == 2
    assert (
        grown(before, after, "switchboard_cache_lookups_total", cache="plans", result="miss") == 2
    )


async def test_operation_name_labels_are_bounded() -> None:
    from gateway.telemetry.metrics import OTHER, OperationNames

    names = OperationNames(capacity=2)
    assert [names.label(name) for name in ("A", "B", "C", "A", None)] == [
        "A",
        "B",
        OTHER,
        "A",
        "anonymous",
    ]
