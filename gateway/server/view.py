"""`GatewayView`: Strawberry's ASGI `GraphQL` view with GraphQL-over-HTTP responses.

Subclassed rather than used as is, because the stock view
- answers every response as `application/json` (we negotiate
  `application/graphql-response+json`, whose request errors are 4xx);
- always includes `data`, which a request error must not carry;
- answers transport-level refusals (malformed JSON, bad content type) as plain text, where
  clients expect a GraphQL error with a code;
- lets an unexpected exception escape to Starlette's plain 500;
- reads a body of any size, runs a simple (non-preflighted) request, accepts any JSON value
  as `operationName` and answers whatever the `Accept` header says.
Request parsing, GET/POST handling, GraphiQL and the websocket protocols are Strawberry's; the
checks around them (body limit, CSRF, `Accept`, request shape) are the gateway's, in the order
Apollo Router applies them: size before parsing, then shape, then CSRF.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.streaming import HTTPStreamTransport, MultipartSubscriptionTransport
from strawberry.subscriptions import (
    GRAPHQL_SSE_PROTOCOL,
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    GRAPHQL_WS_PROTOCOL,
    MULTIPART_SUBSCRIPTION_PROTOCOL,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from gateway.server.body import (
    DEFAULT_MAX_BODY_BYTES,
    PAYLOAD_TOO_LARGE,
    BodyTooLarge,
    declared_length,
    read_body,
    replaying,
)
from gateway.server.csrf import CSRF_ERROR, CSRF_MESSAGE, preflighted
from gateway.server.graphiql import graphiql_page
from gateway.server.negotiation import can_answer, response_media_type
from gateway.server.schema import GatewayContext
from gateway.subscriptions.sse import ResumableSSETransport
from gateway.subscriptions.websocket import (
    DEFAULT_KEEPALIVE_SECONDS,
    KeepAliveHandler,
    QuietLegacyHandler,
    TextFrames,
)
from gateway.telemetry.tracing import trace_id_of

logger = logging.getLogger("gateway.server")

# Distinct `Accept` values whose streaming transport is remembered (`GatewayView`).
ACCEPT_VALUES_KEPT = 64
CONTENT_TYPE_MESSAGE = (
    "'content-type' header must be one of: \"application/json\" or "
    '"application/graphql-response+json"'
)


class CodedRefusal(HTTPException):
    """A transport refusal with its own error code (Strawberry's carry only a reason)."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code, message)
        self.code = code


class GatewayView(GraphQL[GatewayContext, None]):
    # Websockets: graphql-transport-ws (with keep-alive pings) and the legacy graphql-ws;
    # over HTTP: SSE (with event ids) and multipart subscriptions.
    graphql_transport_ws_handler_class = KeepAliveHandler
    graphql_ws_handler_class = QuietLegacyHandler
    websocket_adapter_class = TextFrames
    stream_transport_classes_by_protocol = {
        MULTIPART_SUBSCRIPTION_PROTOCOL: MultipartSubscriptionTransport,
        GRAPHQL_SSE_PROTOCOL: ResumableSSETransport,
    }

    def __init__(
        self,
        schema: Any,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        csrf_prevention: bool = True,
        keepalive_seconds: float = DEFAULT_KEEPALIVE_SECONDS,
        **options: Any,
    ) -> None:
        options.setdefault(
            "subscription_protocols",
            (
                GRAPHQL_TRANSPORT_WS_PROTOCOL,
                GRAPHQL_WS_PROTOCOL,
                GRAPHQL_SSE_PROTOCOL,
                MULTIPART_SUBSCRIPTION_PROTOCOL,
            ),
        )
        super().__init__(schema, **options)
        self.max_body_bytes = max_body_bytes
        self.csrf_prevention = csrf_prevention
        self.keepalive_seconds = keepalive_seconds
        self._transports_by_accept: dict[str, HTTPStreamTransport | None] = {}

    def _get_stream_transport_from_headers(
        self, headers: Mapping[str, str]
    ) -> HTTPStreamTransport | None:
        """Strawberry's choice of streaming transport, remembered by `Accept` value: it parses
        the header with `email.message` (~10 µs) and asks twice per request; clients send a
        handful of distinct values. Bounded: an unknown value past the bound is not kept."""
        accept = headers.get("accept")
        if accept is None:  # a mapping whose keys are not lower-cased
            accept = next((value for key, value in headers.items() if key.lower() == "accept"), "")
        known = self._transports_by_accept
        if accept in known:
            return known[accept]
        transport = super()._get_stream_transport_from_headers(headers)
        if len(known) < ACCEPT_VALUES_KEPT:
            known[accept] = transport
        return transport

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        response: Response
        try:
            receive = await self.bounded(scope, receive)
        except BodyTooLarge:
            request = Request(scope=scope)
            message = f"Request body is larger than the limit of {self.max_body_bytes} bytes"
            response = error_response(request, 413, message, PAYLOAD_TOO_LARGE)
            await response(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as refusal:
            response = refusal_response(refusal, request)
        except Exception:
            trace_id = trace_id_of(request.headers)
            logger.exception("internal error in the GraphQL view (trace id %s)", trace_id)
            response = error_response(
                request, 500, "Internal server error", "INTERNAL_SERVER_ERROR", traceId=trace_id
            )
        try:
            await response(scope, receive, send)
        finally:
            await close_streams(request)

    async def bounded(self, scope: Scope, receive: Receive) -> Receive:
        """`receive` for a body already read within the limit (`BodyTooLarge` otherwise)."""
        if scope["method"] != "POST":
            return receive
        declared = declared_length(scope["headers"])
        if declared is not None and declared > self.max_body_bytes:
            raise BodyTooLarge
        return replaying(await read_body(receive, self.max_body_bytes), receive)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """Only called for a request that would run an operation (not for GraphiQL's page)."""
        # A streaming transport Strawberry is configured with (SSE, multipart) answers in
        # its own media type; otherwise one of the JSON types must be acceptable.
        streaming = self._get_stream_transport_from_headers(request.headers) is not None
        if not streaming and not can_answer(request.headers.get("accept")):
            raise CodedRefusal(
                406,
                "INVALID_ACCEPT_HEADER",
                "'accept' header must allow application/json or application/graphql-response+json",
            )
        if self.csrf_prevention and not preflighted(request.headers):
            raise CodedRefusal(400, CSRF_ERROR, CSRF_MESSAGE)
        parsed = await super().parse_http_body(request)
        for data in parsed if isinstance(parsed, list) else [parsed]:
            if not isinstance(data.operation_name, str | None):
                raise HTTPException(
                    400, "The GraphQL operation's `operationName` must be a string or null."
                )
        return parsed

    def should_render_graphql_ide(self, request: Any) -> bool:
        """A browser opening `/graphql?query=...` wants GraphiQL prefilled with the query, not
        the query's JSON answer: a GET whose Accept names `text/html` gets the page. GraphQL
        clients ask for JSON and are answered as before (docs/deviations.md)."""
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return True
        return super().should_render_graphql_ide(request)

    @property
    def graphql_ide_html(self) -> str:
        """Our GraphiQL page, whose assets the gateway serves itself (works offline)."""
        return graphiql_page()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GatewayContext:
        context = GatewayContext(
            connection=request, response=response if isinstance(response, Response) else None
        )
        if isinstance(request, Request):
            request.state.gateway_context = context
            transport = self._get_stream_transport_from_headers(request.headers)
            context.sse = isinstance(transport, ResumableSSETransport)
        return context

    async def create_streaming_response(
        self,
        request: Request | WebSocket,
        stream: Callable[[], AsyncIterator[str]],
        sub_response: Response,
        headers: Mapping[str, str],
    ) -> Response:
        return ClosingStreamingResponse(
            stream(),
            status_code=sub_response.status_code or 200,
            headers={**sub_response.headers, **headers},
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = response_media_type(request.headers.get("accept"))
        return sub_response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or 200,
            media_type=sub_response.media_type,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        response.background = sub_response.background
        return response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if isinstance(result, PreExecutionError):
            # A request error: the operation did not run, so there is no `data` entry at all.
            response: GraphQLHTTPResponse = {
                "errors": [error.formatted for error in result.errors or ()]
            }
            if result.extensions:
                response["extensions"] = result.extensions
            return response
        return process_result(result)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "the request body must be a JSON object")
        return parsed


class ClosingStreamingResponse(StreamingResponse):
    """Closes its body when the response ends, however it ends: Starlette leaves a body it
    stopped reading (the client went away while a send waited on it) to the garbage
    collector. Strawberry's body stops the task reading the subscription when closed."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            body = self.body_iterator
            if isinstance(body, AsyncGenerator):
                await body.aclose()


async def close_streams(request: Request) -> None:
    """Close the subscription streams a request opened. A task reading one that is stopped
    while it hands an event on (not while it waits for the next) leaves it open: nothing would
    close it, its subscriber and its share of the upstream operation, but the garbage
    collector, much later."""
    context = getattr(request.state, "gateway_context", None)
    if not isinstance(context, GatewayContext):
        return
    # The context holds the request, whose scope holds the context: forgotten here, that
    # reference cycle would leave every request to the cycle collector, whose pauses were
    # the p99 latency under load (docs/benchmarks.md, "The p99 tail").
    del request.state.gateway_context
    for stream in context.streams:
        try:
            await stream.aclose()
        except RuntimeError:  # still being read: its reader closes it
            logger.debug("a subscription stream was still being read when its response ended")
    context.streams.clear()


def refusal_response(refusal: HTTPException, request: Request) -> Response:
    """Strawberry's transport refusals, as coded GraphQL errors."""
    if isinstance(refusal, CodedRefusal):
        return error_response(request, refusal.status_code, refusal.reason, refusal.code)
    if refusal.reason == "Unsupported content type":
        return error_response(request, 415, CONTENT_TYPE_MESSAGE, "INVALID_CONTENT_TYPE_HEADER")
    if refusal.status_code == 405:
        return error_response(request, 405, refusal.reason, "METHOD_NOT_ALLOWED")
    if refusal.status_code == 404:
        return error_response(request, 404, "Not Found", "NOT_FOUND")
    return error_response(
        request,
        refusal.status_code,
        "Invalid GraphQL request",
        "INVALID_GRAPHQL_REQUEST",
        details=refusal.reason,
    )


def error_response(
    request: Request, status: int, message: str, code: str, **extensions: Any
) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type=response_media_type(request.headers.get("accept")),
    )
