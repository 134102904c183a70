"""`UsageRecord`: one operation as the gateway saw it, and what a request collects for it.

A request fills a `RequestUsage` as its stages learn things (who called, which operation, what
it cost, how long each subgraph took); the pipeline turns it into one immutable `UsageRecord`
when the answer is ready. Subgraph fetch times reach it through a context variable, so the
subgraph client needs no reference to the request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any, NamedTuple

from gateway.auth import Principal

FETCH_TIMINGS: ContextVar[dict[str, float] | None] = ContextVar(
    "switchboard_fetch_timings", default=None
)


def add_fetch_timing(subgraph: str, milliseconds: float) -> None:
    """Called by the subgraph client for each fetch; a subgraph fetched twice adds up."""
    timings = FETCH_TIMINGS.get()
    if timings is not None:
        timings[subgraph] = timings.get(subgraph, 0.0) + milliseconds


class UsageRecord(NamedTuple):
    """Built on every request: a named tuple is built in a fraction of the time a frozen
    dataclass of fifteen fields takes (each field set through `object.__setattr__`)."""

    time: datetime
    app_id: str | None
    installation_id: str | None
    workspace_id: str | None
    operation_name: str | None
    operation_hash: str
    operation_kind: str | None
    fields: tuple[str, ...]
    estimated_cost: int | None
    actual_cost: int | None
    duration_ms: float
    http_status: int
    error_count: int
    error_codes: tuple[str, ...]
    subgraph_timings: Mapping[str, float]

    def as_input(self) -> dict[str, Any]:
        """The record as the metrics subgraph's `UsageRecordInput`."""
        return {
            "time": self.time.isoformat(),
            "appId": self.app_id,
            "installationId": self.installation_id,
            "workspaceId": self.workspace_id,
            "operationName": self.operation_name,
            "operationHash": self.operation_hash,
            "operationKind": self.operation_kind,
            "fields": list(self.fields),
            "estimatedCost": self.estimated_cost,
            "actualCost": self.actual_cost,
            "durationMs": round(self.duration_ms, 3),
            "httpStatus": self.http_status,
            "errorCount": self.error_count,
            "errorCodes": list(self.error_codes),
            "subgraphTimings": [
                {"subgraph": name, "durationMs": round(ms, 3)}
                for name, ms in sorted(self.subgraph_timings.items())
            ],
        }


class RequestUsage:
    """What one request has learnt so far; `None` where a stage never ran."""

    __slots__ = (
        "actual_cost",
        "estimated_cost",
        "executed",
        "fields",
        "operation_hash",
        "principal",
        "timings",
    )

    def __init__(self) -> None:
        self.principal: Principal | None = None
        self.operation_hash: str | None = None
        self.fields: tuple[str, ...] = ()
        self.estimated_cost: int | None = None
        self.actual_cost: int | None = None
        self.timings: dict[str, float] = {}
        # Until the plan runs, the request is a refusal: its record says so and nothing else
        # about the operation (no fields, no actual cost, no fetches).
        self.executed = False

    def record(
        self,
        *,
        time: datetime,
        query: object,
        operation_name: str | None,
        operation_kind: str | None,
        duration_ms: float,
        response: Mapping[str, Any],
        http_status: int,
    ) -> UsageRecord:
        principal = self.principal or Principal()
        codes = []
        errors = response.get("errors") or ()
        for error in errors:
            extensions = error.get("extensions") if isinstance(error, Mapping) else None
            code = extensions.get("code") if isinstance(extensions, Mapping) else None
            if isinstance(code, str) and code not in codes:
                codes.append(code)
        executed = self.executed
        return UsageRecord(
            time=time,
            app_id=principal.app_id,
            installation_id=principal.installation_id,
            workspace_id=principal.workspace_id,
            operation_name=operation_name,
            operation_hash=self.operation_hash or text_hash(query),
            operation_kind=operation_kind,
            fields=self.fields if executed else (),
            estimated_cost=self.estimated_cost,
            actual_cost=self.actual_cost if executed else None,
            duration_ms=duration_ms,
            http_status=http_status,
            error_count=len(errors),
            error_codes=tuple(codes),
            subgraph_timings=self.timings if executed else {},
        )


def text_hash(query: object) -> str:
    """For a request refused before its operation had a hash (it did not parse)."""
    text = query if isinstance(query, str) else ""
    return hashlib.sha256(text.encode()).hexdigest()
