"""`FederatedSchema`: Strawberry's `BaseSchema` protocol, answered by the federated pipeline.

Strawberry's views (HTTP, graphql-transport-ws, graphql-ws, SSE) only call `execute`,
`subscribe`, `stream` and read `config`; those are implemented here, so the views are reused
as they are (docs/architecture.md §2). The protocol's Strawberry type-system members (`query`,
`schema_converter`, `get_type_by_name`, ...) have nothing to describe: the gateway's schema is a
graphql-core schema derived from the supergraph, not Strawberry classes. They are left unset or
answer "nothing"; no view reads them (docs/design/transport.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from graphql import GraphQLError, GraphQLSchema, print_schema
from starlette.requests import HTTPConnection
from starlette.responses import Response
from strawberry.directive import StrawberryDirective
from strawberry.schema.base import BaseSchema
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import ExecutionResult
from strawberry.types.base import WithStrawberryObjectDefinition
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from gateway.execution import RequestError
from gateway.planning.nodes import OperationKind
from gateway.server.direct_write import DIRECT_WRITE
from gateway.server.negotiation import GRAPHQL_RESPONSE_JSON
from gateway.server.pipeline import Outcome, Pipeline, error_outcome
from gateway.subscriptions.direct import DirectDelivery, sse_delivery, websocket_delivery
from gateway.subscriptions.shared import Shaped
from gateway.subscriptions.sse import EVENT_ID, LAST_EVENT_ID
from gateway.subscriptions.websocket import CURRENT_OPERATION

if TYPE_CHECKING:
    from gateway.subscriptions.service import Subscriptions

NO_STRAWBERRY_TYPES = "the federated schema is a graphql-core schema, not Strawberry types"


@dataclass
class GatewayContext:
    """What the view hands the schema for one request (or websocket connection)."""

    connection: HTTPConnection
    # The response Strawberry builds the HTTP answer from; its status and media type are set
    # here. None on websockets.
    response: Response | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # graphql-transport-ws `connection_init` payload (Strawberry sets it); its
    # `Authorization` counts as the upgrade request's header would.
    connection_params: dict[str, Any] | None = None
    # The subscription streams this request opened (SSE, multipart): the view closes them when
    # its response ends, however it ends (`GatewayView.__call__`).
    streams: list[AsyncGenerator[Any, None]] = field(default_factory=list)
    # The request's response is a graphql-sse stream (not multipart, not JSON).
    sse: bool = False


class FormattedError(GraphQLError):
    """A GraphQLError that formats to exactly the dict the pipeline produced, so Strawberry's
    views send our wire shape (path, extensions and key order) unchanged."""

    def __init__(self, formatted: Mapping[str, Any]) -> None:
        super().__init__(str(formatted.get("message", "")))
        self._formatted = dict(formatted)

    @property
    def formatted(self) -> dict[str, Any]:  # type: ignore[override]
        return self._formatted


class FederatedSchema(BaseSchema):
    mutation = None
    subscription = None
    schema_directives: list[object] = []
    exception_handlers = ()

    def __init__(self, pipeline: Pipeline, subscriptions: Subscriptions | None = None) -> None:
        self.pipeline = pipeline
        self.subscriptions = subscriptions
        self.config = StrawberryConfig()

    @property
    def api_schema(self) -> GraphQLSchema:
        """The schema clients see now; a reload may replace it."""
        return self.pipeline.supergraph.api_schema

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        allowed = _kinds(allowed_operation_types) - {"subscription"}
        outcome = await self.pipeline.run(
            query,
            variable_values,
            operation_name,
            allowed_kinds=allowed,
            headers=_headers(context_value),
        )
        _set_status(context_value, outcome)
        return to_result(outcome)

    def execute_sync(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        raise RuntimeError("federated execution fetches from subgraphs: use the async view")

    async def subscribe(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> AsyncGenerator[ExecutionResult, None]:
        return await self.stream(
            query, variable_values, context_value, root_value, operation_name, operation_extensions
        )

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> AsyncGenerator[ExecutionResult, None]:
        allowed = _kinds(allowed_operation_types)
        if (
            "subscription" in allowed
            and self.subscriptions is not None
            and await self.pipeline.operation_kind(query, operation_name) == "subscription"
        ):
            return self._subscription(query, variable_values, context_value, operation_name)
        return self._single(
            query, variable_values, context_value, operation_name, allowed - {"subscription"}
        )

    async def _subscription(
        self,
        query: str | None,
        variables: dict[str, Any] | None,
        context: Any,
        operation_name: str | None,
    ) -> AsyncGenerator[ExecutionResult, None]:
        """A subscription's results, each with its event's bus id in `extensions.eventId`."""
        assert self.subscriptions is not None
        headers = _headers(context)
        planned = await self.subscriptions.plan(query, variables, operation_name, headers)
        if isinstance(planned, Outcome):
            yield to_result(planned)
            return
        resume = headers.get(LAST_EVENT_ID) if _is_http(context) else None
        try:
            stream = self.subscriptions.stream(planned, variables, resume, _direct(context))
            if _is_http(context):  # a websocket's handler closes its streams itself
                context.streams.append(stream)
            async with contextlib.aclosing(stream) as results:
                async for shaped, event_id in results:
                    errors: list[GraphQLError] | None = [
                        FormattedError(error) for error in shaped.get("errors") or ()
                    ] or None
                    extensions = {EVENT_ID: event_id} if event_id is not None else None
                    # A result shared by many subscribers has its `data` encoded once.
                    data = shaped.data_fragment() if isinstance(shaped, Shaped) else None
                    yield ExecutionResult(
                        data=cast(Any, data) if data is not None else shaped.get("data"),
                        errors=errors,
                        extensions=extensions,
                    )
        except RequestError as refusal:
            yield PreExecutionError(
                data=None, errors=[FormattedError(error.formatted) for error in refusal.errors]
            )

    async def _single(
        self,
        query: str | None,
        variables: dict[str, Any] | None,
        context: Any,
        operation_name: str | None,
        allowed: set[OperationKind],
    ) -> AsyncGenerator[ExecutionResult, None]:
        """Queries and mutations sent over a streaming transport answer once; a subscription
        that gets here (subscriptions turned off) is refused."""
        outcome = await self.pipeline.run(
            query, variables, operation_name, allowed_kinds=allowed, headers=_headers(context)
        )
        yield to_result(outcome)

    # The protocol declares these as attributes; there is no value to give them, so reading
    # them explains why instead of failing with a bare AttributeError.
    @property
    def query(self) -> type[WithStrawberryObjectDefinition]:  # type: ignore[override]
        raise AttributeError(NO_STRAWBERRY_TYPES)

    @property
    def schema_converter(self) -> GraphQLCoreConverter:  # type: ignore[override]
        raise AttributeError(NO_STRAWBERRY_TYPES)

    def get_type_by_name(self, name: str) -> None:
        return None

    def get_directive_by_name(self, graphql_name: str) -> StrawberryDirective[Any] | None:
        return None

    def as_str(self) -> str:
        return print_schema(self.api_schema)


def to_result(outcome: Outcome) -> ExecutionResult:
    errors: list[GraphQLError] | None = [
        FormattedError(error) for error in outcome.response.get("errors") or ()
    ] or None
    extensions = outcome.response.get("extensions")
    if outcome.request_error:
        return PreExecutionError(data=None, errors=errors, extensions=extensions)
    response = outcome.response
    # A response shared by collapsed requests has its `data` encoded once.
    data = response.data_fragment() if isinstance(response, Shaped) else None
    return ExecutionResult(
        data=cast(Any, data) if data is not None else response.get("data"),
        errors=errors,
        extensions=extensions,
    )


def _kinds(operation_types: Iterable[OperationType] | None) -> set[OperationKind]:
    if operation_types is None:
        return {"query", "mutation", "subscription"}
    kinds: set[OperationKind] = set()
    for operation_type in operation_types:
        if operation_type is OperationType.QUERY:
            kinds.add("query")
        elif operation_type is OperationType.MUTATION:
            kinds.add("mutation")
        else:
            kinds.add("subscription")
    return kinds


def _headers(context: Any) -> Mapping[str, str]:
    if not isinstance(context, GatewayContext):
        return {}
    params = context.connection_params
    if params:
        given = next(
            (value for key, value in params.items() if key.lower() == "authorization"), None
        )
        if isinstance(given, str):
            # The token in `connection_init` stands for the upgrade request's header.
            return {**context.connection.headers, "authorization": given}
    return context.connection.headers


def _direct(context: Any) -> DirectDelivery | None:
    """Events written straight to the client's connection, where the server offers it
    (graphql-transport-ws and graphql-sse; `gateway/subscriptions/direct.py`)."""
    if not isinstance(context, GatewayContext):
        return None
    writer = (context.connection.scope.get("extensions") or {}).get(DIRECT_WRITE)
    if writer is None:
        return None
    if context.response is not None:
        return sse_delivery(writer) if context.sse else None
    operation = CURRENT_OPERATION.get()
    return None if operation is None else websocket_delivery(writer, operation)


def _is_http(context: Any) -> bool:
    return isinstance(context, GatewayContext) and context.response is not None


def _set_status(context: Any, outcome: Outcome) -> None:
    """GraphQL over HTTP: request errors are 4xx for `application/graphql-response+json`
    clients and 200 for legacy `application/json` ones; some refusals have a fixed status."""
    if not isinstance(context, GatewayContext) or context.response is None:
        return
    for name, value in (outcome.headers or {}).items():
        context.response.headers[name] = value
    if outcome.status is not None:
        context.response.status_code = outcome.status
    elif outcome.request_error and context.response.media_type == GRAPHQL_RESPONSE_JSON:
        context.response.status_code = 400


__all__ = ["FederatedSchema", "FormattedError", "GatewayContext", "error_outcome"]
