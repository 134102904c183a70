"""Serving one subgraph: its ASGI app and its `python -m subgraphs.<name>` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from subgraphs.common.context import SubgraphContext
from subgraphs.common.database import Database, default_url
from subgraphs.common.events import EventBus, bus_from_environment
from subgraphs.common.migrations import upgrade
from subgraphs.common.outbox import Outbox
from subgraphs.common.principal import Principal
from subgraphs.common.tokens import (
    INVALID_TOKEN_CHALLENGE,
    AuthenticationError,
    TokenAuthentication,
)
from subgraphs.common.tracing import instrument, provider_from_environment

logger = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 10


@dataclass(frozen=True)
class Subgraph:
    """Everything that makes one platform subgraph, for servers, tests and `switchboard dev`."""

    name: str
    port: int
    schema: strawberry.federation.Schema
    make_loaders: Callable[[Database, Principal], Any]
    seed: Callable[[Database], Awaitable[None]]
    # Long-running consumer of other subgraphs' events (keeps local replicas in step), if any.
    consume: Callable[[Database, EventBus], Awaitable[None]] | None = None
    # Where its mutations stage their events; relayed to the bus in the background too.
    outbox: Outbox | None = None
    # HTTP endpoints served beside /graphql (the installs subgraph's OAuth server), if any.
    routes: Callable[[Database, EventBus], Sequence[BaseRoute]] | None = None


class SubgraphGraphQL(GraphQL[SubgraphContext[Any], None]):
    def __init__(
        self,
        subgraph: Subgraph,
        database: Database,
        bus: EventBus,
        authentication: TokenAuthentication,
    ) -> None:
        super().__init__(subgraph.schema)
        self.subgraph = subgraph
        self.database = database
        self.bus = bus
        self.authentication = authentication

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The caller is who its verified token says, decided before GraphQL runs; a token
        that cannot be trusted is a 401 (a websocket is closed before it is accepted)."""
        headers = (
            Request(scope).headers
            if scope["type"] == "http"
            else WebSocket(scope, receive, send).headers
        )
        try:
            principal = await self.authentication.principal(headers)
        except AuthenticationError:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4401})
                return
            body = {
                "errors": [
                    {"message": "Invalid access token", "extensions": {"code": "UNAUTHENTICATED"}}
                ]
            }
            response = JSONResponse(
                body, status_code=401, headers={"www-authenticate": INVALID_TOKEN_CHALLENGE}
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await super().__call__(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> SubgraphContext[Any]:
        principal: Principal = request.state.principal

        def make_loaders() -> Any:
            return self.subgraph.make_loaders(self.database, principal)

        return SubgraphContext(
            database=self.database,
            bus=self.bus,
            principal=principal,
            loaders=make_loaders(),
            make_loaders=make_loaders,
        )


def create_app(
    subgraph: Subgraph,
    database: Database,
    bus: EventBus,
    authentication: TokenAuthentication | None = None,
) -> Starlette:
    """The subgraph's ASGI app: GraphQL (HTTP and websockets) at /graphql, /health, and the
    subgraph's own extra routes. Callers are verified with `authentication` (default: the
    issuer the environment names, `subgraphs.common.tokens`)."""
    authentication = authentication or TokenAuthentication.from_environment()
    graphql = SubgraphGraphQL(subgraph, database, bus, authentication)

    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "subgraph": subgraph.name})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        tasks: list[asyncio.Task[None]] = [
            asyncio.create_task(authentication.follow_revocations(bus))
        ]
        if subgraph.consume is not None:
            tasks.append(asyncio.create_task(subgraph.consume(database, bus)))
        if subgraph.outbox is not None:
            tasks.append(asyncio.create_task(subgraph.outbox.run(database, bus)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/health", health),
            *(subgraph.routes(database, bus) if subgraph.routes is not None else ()),
        ],
        lifespan=lifespan,
    )


async def prepare_database(subgraph: Subgraph, database: Database, *, seed: bool) -> None:
    await upgrade(database, subgraph.name)
    if seed:
        await subgraph.seed(database)


def argument_parser(subgraph: Subgraph) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m subgraphs.{subgraph.name}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=subgraph.port)
    parser.add_argument("--database-url", default=None, help="defaults to DATABASE_URL or SQLite")
    parser.add_argument("--seed", action="store_true", help="load the demo data if empty")
    parser.add_argument("--print-sdl", action="store_true", help="print the subgraph SDL and exit")
    return parser


def run(subgraph: Subgraph) -> None:
    """`python -m subgraphs.<name> [--host H] [--port P] [--database-url URL] [--seed]`."""
    args = argument_parser(subgraph).parse_args()
    if args.print_sdl:
        print(subgraph_sdl(subgraph))
        return
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_serve(subgraph, args.host, args.port, args.database_url, args.seed))


async def _serve(
    subgraph: Subgraph, host: str, port: int, database_url: str | None, seed: bool
) -> None:
    database = Database(database_url or default_url(subgraph.name))
    provider = provider_from_environment(subgraph.name)
    try:
        await prepare_database(subgraph, database, seed=seed)
        app = create_app(subgraph, database, bus_from_environment())
        if provider is not None:
            instrument(app, database, provider)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="info",
            # On SIGTERM, requests in flight get this long to finish; then the process exits
            # whatever they are doing (uvicorn's default waits for them forever).
            timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        )
        server = uvicorn.Server(config)
        await server.serve()
    finally:
        if provider is not None:
            provider.shutdown()
        await database.dispose()


def subgraph_sdl(subgraph: Subgraph) -> str:
    """What `_service { sdl }` answers: the federation SDL composition reads."""
    return str(subgraph.schema.as_str())
