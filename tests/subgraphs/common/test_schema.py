"""Subgraph schemas log unexpected resolver errors, not the coded answers to bad input."""

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
        raise RuntimeError("a bug")


SCHEMA = SubgraphSchema(query=Query)


async def test_domain_errors_are_answered_but_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        result = await SCHEMA.execute("{ missing }")
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "NOT_FOUND", "id": "nope"}
    assert caplog.records == []


async def test_unexpected_errors_are_still_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        result = await SCHEMA.execute("{ broken }")
    assert result.errors is not None
    assert any("a bug" in record.getMessage() for record in caplog.records)
