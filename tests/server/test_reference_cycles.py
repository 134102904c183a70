"""A request leaves no reference cycle behind: what it allocated is freed by reference counting
as soon as it is answered, not by the cycle collector. Under load, per-request cycles piled up
until a collection of the youngest generation freed ~160,000 objects at once, a pause of
~200 ms that every request in flight waited through: the gateway's p99 latency
(docs/benchmarks.md, "The p99 tail: the cycle collector")."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from starlette.requests import Request

from gateway.server.direct_write import DIRECT_WRITE, ChunkedWriter
from gateway.server.schema import GatewayContext
from tests.server.harness import gateway

QUERY = '{ product(upc: "1") { upc name } }'


@contextmanager
def cyclic_garbage() -> Iterator[list[Any]]:
    """The objects that only the cycle collector could free, of what the block allocated."""
    garbage: list[Any] = []
    gc.collect()
    gc.disable()
    try:
        yield garbage
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        garbage.extend(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


async def test_an_answered_request_leaves_no_request_or_context_to_the_cycle_collector() -> None:
    async with gateway() as (client, _):
        with cyclic_garbage() as garbage:
            for _ in range(3):
                response = await client.post("/graphql", json={"query": QUERY})
                assert response.status_code == 200
    left = [type(item).__name__ for item in garbage if isinstance(item, Request | GatewayContext)]
    assert left == []


class _Cycle:
    """The attributes of uvicorn's `RequestResponseCycle` a `ChunkedWriter` reads."""

    scope: dict[str, Any]


def test_a_chunked_writer_in_its_cycles_scope_does_not_keep_the_cycle_alive() -> None:
    cycle = _Cycle()
    writer = ChunkedWriter(cast(Any, cycle))
    cycle.scope = {"extensions": {DIRECT_WRITE: writer}}
    alive = weakref.ref(cycle)
    gc.disable()
    try:
        del cycle
        assert alive() is None  # freed by reference counting, no collection needed
    finally:
        gc.enable()
    assert not writer.writable()
    writer.write(b"too late")  # nothing to write to: ignored
