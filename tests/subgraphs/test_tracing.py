"""A subgraph's own spans: its HTTP server span continues the gateway's `traceparent`, and
each SQL statement it runs is a span beneath it."""

from __future__ import annotations

from pathlib import Path

import httpx
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from subgraphs.apps.subgraph import SUBGRAPH
from subgraphs.common.database import Database
from subgraphs.common.events import InMemoryEventBus
from subgraphs.common.server import create_app, prepare_database
from subgraphs.common.tracing import instrument

GATEWAY_TRACE = "0af7651916cd43dd8448eb211c80319c"
GATEWAY_FETCH_SPAN = "b7ad6b7169203331"


async def test_a_subgraph_request_and_its_sql_join_the_callers_trace(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/apps.db")
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        await prepare_database(SUBGRAPH, database, seed=True)
        app = create_app(SUBGRAPH, database, InMemoryEventBus())
        instrument(app, database, provider)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://apps"
        ) as client:
            response = await client.post(
                "/graphql",
                json={"query": '{ appBySlug(slug: "build-watch") { name } }'},
                headers={"traceparent": f"00-{GATEWAY_TRACE}-{GATEWAY_FETCH_SPAN}-01"},
            )
        assert response.json()["data"]["appBySlug"]["name"]
    finally:
        await database.dispose()

    spans = exporter.get_finished_spans()
    assert {format(span.context.trace_id, "032x") for span in spans} == {GATEWAY_TRACE}
    (server,) = [span for span in spans if span.kind.name == "SERVER"]
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == GATEWAY_FETCH_SPAN
    statements = [span for span in spans if span.attributes and "db.statement" in span.attributes]
    assert statements, [span.name for span in spans]
    ids = {span.context.span_id: span for span in spans}
    for statement in statements:
        ancestor = statement
        while ancestor.parent is not None and ancestor.parent.span_id in ids:
            ancestor = ids[ancestor.parent.span_id]
        assert ancestor is server
