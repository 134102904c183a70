"""The seam between the executor and the network: `SubgraphClient`.

The executor only ever calls `fetch(graph, request)`. A client either returns the subgraph's
GraphQL response or raises `SubgraphFetchError` carrying the client-safe error for the failure
(the messages are the table in docs/design/engine.md), so tests can swap in any transport.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

JsonObject = dict[str, Any]


class GraphLike(Protocol):
    """What the executor reads of a subgraph (`gateway.supergraph.model.Graph` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def url(self) -> str: ...


@dataclass(frozen=True)
class SubgraphRequest:
    query: str
    operation_name: str | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    # Whether sending it twice is harmless (a query): only then may a request lost on a stale
    # keep-alive connection be sent again, since the server may have run it before hanging up.
    idempotent: bool = True

    def body(self) -> JsonObject:
        body: JsonObject = {"query": self.query}
        if self.operation_name is not None:
            body["operationName"] = self.operation_name
        if self.variables:
            body["variables"] = dict(self.variables)
        return body


@dataclass(frozen=True)
class SubgraphResponse:
    data: JsonObject | None
    errors: list[JsonObject] = field(default_factory=list)


class SubgraphFetchError(Exception):
    """The subgraph gave no usable GraphQL response; `error()` is what the client sees."""

    def __init__(self, message: str, code: str, extensions: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: JsonObject = {"code": code, **extensions}

    def error(self, path: list[str | int] | None) -> JsonObject:
        error: JsonObject = {"message": self.message}
        if path is not None:
            error["path"] = path
        error["extensions"] = self.extensions
        return error


class SubgraphClient(Protocol):
    async def fetch(self, graph: GraphLike, request: SubgraphRequest) -> SubgraphResponse: ...


def http_error(service: str, status: int, reason: str) -> SubgraphFetchError:
    return SubgraphFetchError(
        f"HTTP fetch failed from '{service}': {status} {reason}",
        "SUBREQUEST_HTTP_ERROR",
        {"service": service, "http": {"status": status}},
    )


def connection_error(service: str, error: str) -> SubgraphFetchError:
    return SubgraphFetchError(
        f"HTTP fetch failed from '{service}': {error}",
        "SUBREQUEST_HTTP_ERROR",
        {"service": service},
    )


def malformed_response(service: str, detail: str) -> SubgraphFetchError:
    return SubgraphFetchError(
        f"Subgraph response from '{service}' was malformed: {detail}",
        "SUBREQUEST_MALFORMED_RESPONSE",
        {"service": service},
    )


def response_too_large(service: str, limit: int) -> SubgraphFetchError:
    return SubgraphFetchError(
        f"Subgraph response from '{service}' is larger than the limit of {limit} bytes",
        "SUBREQUEST_RESPONSE_TOO_LARGE",
        {"service": service},
    )


def timeout_error(service: str, milliseconds: int) -> SubgraphFetchError:
    return SubgraphFetchError(
        f"Request to subgraph '{service}' timed out after {milliseconds} ms",
        "SUBREQUEST_TIMEOUT",
        {"service": service},
    )


def parse_response(service: str, body: object) -> SubgraphResponse:
    """Check a decoded body has the GraphQL response shape."""
    if not isinstance(body, dict):
        raise malformed_response(service, "no data or errors")
    data = body.get("data")
    given = body.get("errors")
    # Errors that are not objects cannot be reported; a response left with neither data nor
    # an error to report explains nothing.
    errors = (
        [error for error in given if isinstance(error, dict)] if isinstance(given, list) else []
    )
    if not isinstance(data, dict):
        data = None
    if data is None and not errors:
        raise malformed_response(service, "no data or errors")
    return SubgraphResponse(data=data, errors=errors)
