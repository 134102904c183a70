"""The span tree of one federated request, recorded with an in-memory exporter."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.execution import AsgiRouterTransport
from gateway.server import create_app
from tests.server.federated import products, reviews, users
from tests.server.test_federated import SUPERGRAPH

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
QUERY = "query Top { topProducts(first: 2) { name reviews { body author { username } } } }"


class HeaderRecorder:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.traceparents: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])
        self.traceparents.append(headers.get(b"traceparent", b"").decode())
        await self.app(scope, receive, send)


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def recorders() -> dict[str, HeaderRecorder]:
    return {
        "products": HeaderRecorder(products.app),
        "reviews": HeaderRecorder(reviews.app),
        "users": HeaderRecorder(users.app),
    }


@pytest.fixture
async def client(
    exporter: InMemorySpanExporter, recorders: dict[str, HeaderRecorder]
) -> AsyncIterator[httpx.AsyncClient]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(
        SUPERGRAPH, transport=AsgiRouterTransport(dict(recorders)), tracer_provider=provider
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield client
    await app.state.subgraph_client.aclose()


def tree(spans: tuple[ReadableSpan, ...]) -> dict[str, list[str]]:
    """Each span's name → the names of its children, in start order."""
    by_id = {span.context.span_id: span for span in spans}
    children: dict[str, list[str]] = {span.name: [] for span in spans}
    for span in sorted(spans, key=lambda span: span.start_time or 0):
        if span.parent is not None and span.parent.span_id in by_id:
            children[by_id[span.parent.span_id].name].append(span.name)
    return children


async def test_one_request_is_one_trace_continuing_the_callers(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": QUERY},
        headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"},
    )
    assert response.status_code == 200
    assert "errors" not in response.json()

    spans = exporter.get_finished_spans()
    assert {format(span.context.trace_id, "032x") for span in spans} == {CALLER_TRACE}
    (root,) = [span for span in spans if span.name == "query Top"]
    assert root.parent is not None
    assert format(root.parent.span_id, "016x") == CALLER_SPAN
    assert root.attributes is not None
    assert root.attributes["graphql.operation.name"] == "Top"
    assert root.attributes["graphql.operation.type"] == "query"
    assert tree(spans) == {
        "query Top": ["parse_validate", "plan", "execute"],
        "parse_validate": [],
        "plan": [],
        # products first; then reviews for the products, then users for the authors.
        "execute": ["fetch products", "fetch reviews", "fetch users", "shape"],
        "fetch products": [],
        "fetch reviews": [],
        "fetch users": [],
        "shape": [],
    }
    for span in spans:
        if span.name.startswith("fetch "):
            assert span.attributes is not None
            assert span.attributes["subgraph.name"] == span.name.removeprefix("fetch ")
            assert span.attributes["subgraph.status"] == "ok"


async def test_each_subgraph_is_sent_its_fetch_span_as_parent(
    client: httpx.AsyncClient,
    exporter: InMemorySpanExporter,
    recorders: dict[str, HeaderRecorder],
) -> None:
    await client.post("/graphql", json={"query": QUERY})

    fetches = {
        span.name.removeprefix("fetch "): span
        for span in exporter.get_finished_spans()
        if span.name.startswith("fetch ")
    }
    for name, recorder in recorders.items():
        context = fetches[name].context
        (traceparent,) = recorder.traceparents
        version, trace_id, parent_id, flags = traceparent.split("-")
        assert (version, trace_id, parent_id) == (
            "00",
            f"{context.trace_id:032x}",
            f"{context.span_id:016x}",
        )
        assert int(flags, 16) & 1  # sampled


async def test_a_failed_fetch_is_an_error_span_with_its_code() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    async def down(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b"down"})

    apps: dict[str, ASGIApp] = {"products": products.app, "reviews": down, "users": users.app}
    app = create_app(SUPERGRAPH, transport=AsgiRouterTransport(apps), tracer_provider=provider)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        response = await client.post("/graphql", json={"query": QUERY})
    await app.state.subgraph_client.aclose()

    assert response.json()["errors"][0]["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    (failed,) = [span for span in exporter.get_finished_spans() if span.name == "fetch reviews"]
    assert failed.status.status_code.name == "ERROR"
    assert failed.attributes is not None
    assert failed.attributes["subgraph.status"] == "SUBREQUEST_HTTP_ERROR"
    assert failed.attributes["http.response.status_code"] == 503
