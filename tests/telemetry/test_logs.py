"""Log records: JSON lines carrying the request they belong to; start-up and shutdown logged."""

from __future__ import annotations

import json
import logging

import pytest

from gateway.server import create_app
from gateway.telemetry.logs import REQUEST, ConsoleFormatter, JsonFormatter, RequestFields
from tests.server.test_federated import SUPERGRAPH

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def record(message: str, **extra: object) -> logging.LogRecord:
    made = logging.makeLogRecord({"name": "gateway.server", "levelname": "INFO", "msg": message})
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_a_record_logged_while_answering_carries_the_request() -> None:
    fields = RequestFields({"traceparent": f"00-{TRACE}-00f067aa0ba902b7-01"}, None)
    fields.identify("TopProducts", "query")
    fields.app = "app-7"
    token = REQUEST.set(fields)
    try:
        line = JsonFormatter().format(record("subgraph slow", subgraph="reviews"))
        console = ConsoleFormatter().format(record("subgraph slow"))
    finally:
        REQUEST.reset(token)

    entry = json.loads(line)
    assert entry["message"] == "subgraph slow"
    assert entry["level"] == "info"
    assert entry["logger"] == "gateway.server"
    assert entry["subgraph"] == "reviews"
    assert (entry["trace_id"], entry["operation"], entry["app"]) == (TRACE, "TopProducts", "app-7")
    assert console.endswith(f"trace_id={TRACE} operation=TopProducts app=app-7")


def test_a_record_outside_a_request_has_no_request_fields() -> None:
    entry = json.loads(JsonFormatter().format(record("gateway started")))
    assert "trace_id" not in entry
    assert "operation" not in entry


async def test_start_up_and_shutdown_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gateway.server")
    app = create_app(SUPERGRAPH)
    async with app.router.lifespan_context(app):
        pass
    messages = [entry.getMessage() for entry in caplog.records if entry.name == "gateway.server"]
    assert messages == ["gateway started", "gateway stopping", "gateway stopped"]
    (started,) = [entry for entry in caplog.records if entry.getMessage() == "gateway started"]
    assert started.subgraphs == ["products", "reviews", "users"]  # type: ignore[attr-defined]
