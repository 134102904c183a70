"""`python -m bench.transport`: what the HTTP layer costs per request, in process.

The gateway's app (Starlette routing + Strawberry's view + the pipeline adapter) is called
directly as an ASGI app, without sockets, with the pipeline replaced by one that returns the
benchmark's expected answer at once. What is left is the per-request cost of the transport:
reading the body, decoding JSON, Strawberry's request handling, encoding the 42 kB answer. It is
compared with the least an ASGI handler can do for the same request (decode, call the
pipeline, encode, send), so the difference is what Strawberry's layer adds. The numbers decided
docs/design/transport.md.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from bench.asgi import App, Message, post
from bench.compose import SUPERGRAPH_PATH
from bench.operation import DEFAULT_OPERATION, OPERATIONS
from gateway.server.app import create_app
from gateway.server.pipeline import Outcome, Pipeline
from gateway.supergraph import Supergraph


async def _call(app: App, body: bytes) -> int:
    """One request through `app`; the number of body bytes it answered."""
    _, answer = await post(app, body)
    return len(answer)


def lean_handler(pipeline: Pipeline) -> App:
    """The least an ASGI handler can do for a JSON POST: the baseline Strawberry is held to."""

    async def handle(
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        request = orjson.loads(b"".join(chunks))
        outcome = await pipeline.run(
            request.get("query"), request.get("variables"), request.get("operationName")
        )
        body = orjson.dumps(outcome.response)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return handle


async def _measure(app: App, body: bytes, requests: int) -> float:
    """Microseconds per request, the best of three rounds."""
    for _ in range(200):
        await _call(app, body)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(requests):
            await _call(app, body)
        best = min(best, (time.perf_counter() - started) / requests * 1e6)
    return best


async def measure(operation_key: str, requests: int, supergraph_sdl: str) -> dict[str, float]:
    operation = OPERATIONS[operation_key]
    answer = operation.expected_response()
    app = create_app(Supergraph.from_sdl(supergraph_sdl))
    pipeline: Pipeline = app.state.pipeline

    async def canned(*_: object, **__: object) -> Outcome:
        return Outcome(answer)

    pipeline.run = canned  # type: ignore[method-assign]
    body = operation.request_body
    assert await _call(app, body) == len(orjson.dumps(answer)), "the view answered differently"
    return {
        "gateway app (Starlette + Strawberry view)": await _measure(app, body, requests),
        "lean ASGI handler": await _measure(lean_handler(pipeline), body, requests),
        "orjson.dumps of the answer alone": _encode_cost(answer, requests),
    }


def _encode_cost(answer: dict[str, Any], requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        orjson.dumps(answer)
    return (time.perf_counter() - started) / requests * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.transport", description=__doc__)
    parser.add_argument("--operation", choices=sorted(OPERATIONS), default=DEFAULT_OPERATION)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args(argv)
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        pass
    supergraph_sdl = Path(SUPERGRAPH_PATH).read_text(encoding="utf-8")
    results = asyncio.run(measure(args.operation, args.requests, supergraph_sdl))
    print(f"per-request cost of the HTTP layer, {args.operation} answer, no sockets:")
    for name, microseconds in results.items():
        print(f"  {name:<44}{microseconds:>8.1f} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
