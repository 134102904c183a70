"""`GatewayView`: Strawberry's ASGI `GraphQL` view with GraphQL-over-HTTP responses.

Subclassed rather than used as is, because the stock view
- answers every response as `application/json` (we negotiate
  `application/graphql-response+json`, whose request errors are 4xx);
- always includes `data`, which a request error must not carry;
- answers transport-level refusals (malformed JSON, bad content type) as plain text, where
  clients expect a GraphQL error with a code;
- lets an unexpected exception escape to Starlette's plain 500.
Request parsing, GET/POST handling, GraphiQL and the websocket protocols are Strawberry's.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from gateway.server.negotiation import response_media_type
from gateway.server.pipeline import trace_id_of
from gateway.server.schema import GatewayContext

logger = logging.getLogger("gateway.server")

CONTENT_TYPE_MESSAGE = (
    "'content-type' header must be one of: \"application/json\" or "
    '"application/graphql-response+json"'
)


class GatewayView(GraphQL[GatewayContext, None]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        response: Response
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
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GatewayContext:
        return GatewayContext(
            connection=request, response=response if isinstance(response, Response) else None
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
            return {"errors": [error.formatted for error in result.errors or ()]}
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


def refusal_response(refusal: HTTPException, request: Request) -> Response:
    """Strawberry's transport refusals, as coded GraphQL errors."""
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
