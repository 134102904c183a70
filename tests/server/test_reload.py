"""Hot reload: a new supergraph is swapped in while requests run; none fails, the new field
appears after the poll, and a supergraph that does not load or compose leaves the old one
serving. Subgraphs run under uvicorn so recomposition introspects them over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
import uvicorn
import yaml
from strawberry.asgi import GraphQL

from gateway.server import GatewayConfig, create_app
from gateway.server.loading import build_state
from gateway.server.pipeline import ServingState
from gateway.server.reload import (
    compose_from_config,
    composition_source,
    reload,
    watch_file,
    watch_source,
)
from gateway.supergraph import Supergraph
from tests.waiting import eventually, free_port


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    name: str


@strawberry.federation.type(keys=["id"], name="Product")
class ProductWithPrice:
    """The same entity with one more field: the change a reload must pick up."""

    id: strawberry.ID
    name: str
    price: int = 42


@strawberry.type
class QueryV1:
    @strawberry.field
    def product(self) -> Product:
        return Product(id=strawberry.ID("1"), name="Lamp")


@strawberry.type(name="Query")
class QueryV2:
    @strawberry.field
    def product(self) -> ProductWithPrice:
        return ProductWithPrice(id=strawberry.ID("1"), name="Lamp")


V1 = strawberry.federation.Schema(query=QueryV1)
V2 = strawberry.federation.Schema(query=QueryV2)


@strawberry.type
class Review:
    body: str


@strawberry.federation.type(keys=["id"], name="Product")
class ReviewedProduct:
    id: strawberry.ID
    # Also defined by `products`, and not @shareable: composing the two is an error.
    name: str = "clash"


@strawberry.type(name="Query")
class ReviewsQuery:
    @strawberry.field
    def reviews(self) -> list[Review]:
        return [Review(body="bright")]


BROKEN = strawberry.federation.Schema(query=ReviewsQuery, types=[ReviewedProduct])


class SwitchableApp:
    """An ASGI subgraph whose schema a test can replace while it serves."""

    def __init__(self, schema: strawberry.federation.Schema) -> None:
        self.app = GraphQL(schema)

    def serve(self, schema: strawberry.federation.Schema) -> None:
        self.app = GraphQL(schema)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@contextlib.asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, seconds=6.0)
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


class Load:
    """Requests for the field every supergraph has, one after another, until stopped; each
    answer kept, so a test can wait for requests on both sides of a reload (however slow the
    machine) instead of hoping a fixed number fits in a window."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.bodies: list[dict[str, Any]] = []
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._run(client))

    async def _run(self, client: httpx.AsyncClient) -> None:
        while not self._stop.is_set():
            response = await client.post("/graphql", json={"query": "{ product { id name } }"})
            self.bodies.append(response.json())

    async def answered_more(self, count: int = 3) -> None:
        """Wait until `count` more requests have been answered from now."""
        target = len(self.bodies) + count
        await eventually(lambda: len(self.bodies) >= target, seconds=10.0)

    async def stop(self) -> list[dict[str, Any]]:
        self._stop.set()
        await self._task
        return self.bodies


@contextlib.asynccontextmanager
async def gateway(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as client,
    ):
        yield client


async def has_price(client: httpx.AsyncClient) -> bool:
    body = (await client.post("/graphql", json={"query": "{ product { price } }"})).json()
    return body.get("data") == {"product": {"price": 42}}


def reload_refused(caplog: pytest.LogCaptureFixture, label: str) -> Callable[[], bool]:
    """Whether the watcher has logged that it refused a supergraph from `label`: the signal
    that it looked at the new source (and kept serving the old supergraph)."""

    def refused() -> bool:
        return any(
            record.name == "gateway.reload"
            and record.levelno == logging.ERROR
            and f"from {label} " in record.getMessage()
            for record in caplog.records
        )

    return refused


async def test_recomposes_from_live_subgraphs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    subgraph = SwitchableApp(V1)
    reviews = SwitchableApp(BROKEN)
    async with served(subgraph) as products_url, served(reviews) as reviews_url:
        config = tmp_path / "supergraph.yaml"
        settings = {"subgraphs": {"products": {
            "routing_url": products_url, "schema": {"subgraph_url": products_url}
        }}}  # fmt: skip
        config.write_text(yaml.safe_dump(settings))
        sdl = await asyncio.to_thread(compose_from_config, config)
        app = create_app(
            Supergraph.from_sdl(sdl),
            watch=watch_source(composition_source(config), "test", interval_seconds=0.05),
        )
        async with gateway(app) as client:
            assert not await has_price(client)
            load = Load(client)
            await load.answered_more()  # requests before the reload,
            subgraph.serve(V2)
            assert await eventually(lambda: has_price(client), seconds=6.0)
            await load.answered_more()  # after it,

            # A second subgraph whose SDL clashes: composition fails, the graph stays.
            settings["subgraphs"]["reviews"] = {
                "routing_url": reviews_url, "schema": {"subgraph_url": reviews_url}
            }  # fmt: skip
            config.write_text(yaml.safe_dump(settings))
            assert await eventually(reload_refused(caplog, "test"), seconds=6.0)
            await load.answered_more()  # and after the refused one: all answered in full.
            bodies = await load.stop()
            assert await has_price(client)
            body = (await client.post("/graphql", json={"query": "{ reviews { body } }"})).json()
            assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"

    assert len(bodies) >= 9
    assert all(body == {"data": {"product": {"id": "1", "name": "Lamp"}}} for body in bodies)


async def test_reloads_a_changed_supergraph_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    subgraph = SwitchableApp(V2)
    async with served(subgraph) as url:
        config = tmp_path / "supergraph.yaml"
        config.write_text(yaml.safe_dump({"subgraphs": {"products": {
            "routing_url": url, "schema": {"subgraph_url": url}
        }}}))  # fmt: skip
        path = tmp_path / "supergraph.graphql"
        subgraph.serve(V1)
        path.write_text(await asyncio.to_thread(compose_from_config, config))
        app = create_app(
            Supergraph.from_sdl(path.read_text()), watch=watch_file(path, interval_seconds=0.05)
        )
        async with gateway(app) as client:
            load = Load(client)
            await load.answered_more()  # requests before the reload,
            subgraph.serve(V2)
            path.write_text(await asyncio.to_thread(compose_from_config, config))
            assert await eventually(lambda: has_price(client), seconds=6.0)
            await load.answered_more()  # after it,

            path.write_text("this is not a supergraph {")
            assert await eventually(reload_refused(caplog, str(path)), seconds=6.0)
            await load.answered_more()  # and after the refused one: all answered in full.
            bodies = await load.stop()
            assert await has_price(client)

    assert len(bodies) >= 9
    assert all(body == {"data": {"product": {"id": "1", "name": "Lamp"}}} for body in bodies)


async def test_a_watcher_that_saw_a_broken_supergraph_applies_the_next_good_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    subgraph = SwitchableApp(V1)
    async with served(subgraph) as url:
        config = tmp_path / "supergraph.yaml"
        config.write_text(yaml.safe_dump({"subgraphs": {"products": {
            "routing_url": url, "schema": {"subgraph_url": url}
        }}}))  # fmt: skip
        first = await asyncio.to_thread(compose_from_config, config)
        subgraph.serve(V2)
        good = await asyncio.to_thread(compose_from_config, config)
        path = tmp_path / "supergraph.graphql"
        path.write_text(first)
        app = create_app(Supergraph.from_sdl(first), watch=watch_file(path, interval_seconds=0.02))
        async with gateway(app) as client:
            path.write_text("type Query {")
            assert await eventually(reload_refused(caplog, str(path)), seconds=6.0)
            assert not await has_price(client)

            path.write_text(good)
            assert await eventually(lambda: has_price(client), seconds=6.0)


@pytest.mark.parametrize("missing", ["file", "compose"])
def test_serve_refuses_a_source_that_does_not_load(tmp_path: Path, missing: str) -> None:
    from gateway.cli import main

    if missing == "file":
        (tmp_path / "bad.graphql").write_text("type Query {")
        arguments = ["serve", "--supergraph", str(tmp_path / "bad.graphql")]
    else:
        (tmp_path / "supergraph.yaml").write_text(
            "subgraphs: {a: {routing_url: 'http://a', schema: {file: missing.graphql}}}"
        )
        arguments = ["serve", "--compose", str(tmp_path / "supergraph.yaml")]
    assert main(arguments) == 1


FEDERATED_SUPERGRAPH = Path(__file__).parent / "federated" / "supergraph.graphql"


async def test_requests_are_answered_while_a_reload_loads() -> None:
    """The new supergraph loads in a thread: while its load is held midway (as a large one
    would hold it for seconds), the event loop keeps answering requests on the old state."""
    old_sdl = FEDERATED_SUPERGRAPH.read_text()
    new_sdl = old_sdl + "\n# a new version\n"
    loading, release = threading.Event(), threading.Event()

    def held_build(sdl: str, config: GatewayConfig) -> ServingState:
        loading.set()
        release.wait(timeout=10)  # a build on the event loop would block it here
        return build_state(sdl, config)

    async def source() -> str:
        return new_sdl

    app = create_app(Supergraph.from_sdl(old_sdl))
    pipeline = app.state.pipeline
    async with gateway(app) as client:
        reloading = asyncio.create_task(
            reload(pipeline, GatewayConfig(), source, "test", build=held_build)
        )
        try:
            assert await eventually(loading.is_set, seconds=10.0)
            answers = [
                (await client.post("/graphql", json={"query": "{ __typename }"})).json()
                for _ in range(3)
            ]
            assert not reloading.done()
            assert pipeline.supergraph.sdl == old_sdl
        finally:
            release.set()
        assert await reloading
    assert answers == [{"data": {"__typename": "Query"}}] * 3
    assert pipeline.supergraph.sdl == new_sdl
    assert "api_schema" in vars(pipeline.supergraph)  # built with the state, not on demand
