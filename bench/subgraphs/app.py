"""A benchmark subgraph as a raw ASGI app: POST a GraphQL request to any path, get JSON back.

No framework on the hot path: the body is read, looked up in a response cache, and only on a miss
decoded with orjson and run by the compiled executor. The data never changes, so an identical
request body always gets the identical answer, and caching by the exact bytes cannot change what
a gateway sees; it only keeps the subgraphs from being the bottleneck. `cache=False` turns it off
(the tests check both ways give the same answers).

`GET` answers 200 (a readiness probe). When `record_path` is given, every distinct request body
is appended to that file as one JSON line, so the shapes a gateway sends can be replayed in tests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import orjson

from bench.subgraphs.definition import SubgraphDefinition
from bench.subgraphs.executor import SubgraphExecutor

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_MAX_CACHED_RESPONSES = 10_000
_JSON_HEADERS = [(b"content-type", b"application/json")]


class SubgraphApp:
    def __init__(
        self,
        definition: SubgraphDefinition,
        *,
        cache: bool = True,
        record_path: Path | None = None,
    ) -> None:
        self.definition = definition
        self.executor = SubgraphExecutor(definition)
        self._cache: dict[bytes, tuple[int, bytes]] | None = {} if cache else None
        self._record_path = record_path
        self._recorded: set[bytes] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await _respond(send, 200, b'{"status":"ok"}')
            return
        body = await _read_body(receive)
        status, payload = self.answer(body)
        await _respond(send, status, payload)

    def answer(self, body: bytes) -> tuple[int, bytes]:
        """The HTTP status and JSON body for one request body."""
        if self._cache is not None:
            cached = self._cache.get(body)
            if cached is not None:
                return cached
        if self._record_path is not None and body not in self._recorded:
            self._record(body)
        answer = self._execute(body)
        if self._cache is not None and answer[0] == 200:
            if len(self._cache) >= _MAX_CACHED_RESPONSES:
                self._cache.clear()
            self._cache[body] = answer
        return answer

    def _execute(self, body: bytes) -> tuple[int, bytes]:
        try:
            request = orjson.loads(body)
        except orjson.JSONDecodeError:
            return 400, b'{"errors":[{"message":"request body is not JSON"}]}'
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            return 400, b'{"errors":[{"message":"request has no query"}]}'
        response = self.executor.execute(
            request["query"], request.get("operationName"), request.get("variables")
        )
        status = 400 if "data" not in response else 200
        return status, orjson.dumps(response)

    def _record(self, body: bytes) -> None:
        assert self._record_path is not None
        self._recorded.add(body)
        line = orjson.dumps({"subgraph": self.definition.name, "request": orjson.loads(body)})
        with self._record_path.open("ab") as record:
            record.write(line + b"\n")


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Send, status: int, payload: bytes) -> None:
    headers = [*_JSON_HEADERS, (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
