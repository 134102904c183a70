"""Subgraph schemas log unexpected resolver errors with a trace id and send the client only that
id; the coded answers to bad input are sent as they are and not logged."""

from __future__ import annotations

import logging

import pytest
import strawberry

from subgraphs.common.errors import NotFound
from subgraphs.common.schema import SubgraphSchema


@strawberry.type
class Query:
    @strawberry.field
    def missing(self) -> str:
        raise NotFound("No app with id 'nope'.", id="nope")

    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("a bug: SELECT secret FROM /srv/db.sqlite")


SCHEMA = SubgraphSchema(query=Query)


async def test_domain_errors_are_answered_but_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        result = await SCHEMA.execute("{ missing }")
    assert result.errors is not None
    assert result.errors[0].message == "No app with id 'nope'."
    assert result.errors[0].extensions == {"code": "NOT_FOUND", "id": "nope"}
    assert caplog.records == []


async def test_unexpected_errors_are_masked_and_logged_with_a_trace_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        result = await SCHEMA.execute("{ broken }")

    assert result.errors is not None
    [error] = result.errors
    assert error.message == "Internal server error"
    assert error.path == ["broken"]
    assert error.extensions is not None
    trace_id = error.extensions["traceId"]
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR", "traceId": trace_id}
    assert "SELECT" not in str(error.formatted)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert trace_id in logged
    assert "a bug: SELECT secret" in caplog.text  # the traceback, for whoever reads the log


async def test_validation_errors_are_the_clients_to_read() -> None:
    invalid = await SCHEMA.execute("{ nope }")

    assert invalid.errors is not None
    assert "Cannot query field 'nope'" in invalid.errors[0].message
