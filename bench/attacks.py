"""`python -m bench.attacks [NAME ...]`: the hostile requests of the hardening work, measured.

Each attack runs in its own process (so its peak RSS is its own) against the gateway built
in process over `schema/supergraph.graphql`, with the subgraphs answered in memory. For each it
prints the HTTP status, the error code, the wall time of the request, the longest stall of the
event loop while it ran (a ticker every millisecond: what `/health` would have waited) and the
process's peak RSS. Not a test: numbers, for docs/benchmarks.md and the before/after of a fix.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

SUPERGRAPH = Path(__file__).resolve().parent.parent / "schema" / "supergraph.graphql"
JSON_HEADERS = {"content-type": "application/json"}


def fragment_query(levels: int) -> str:
    fragments = ["fragment F0 on Query { __typename }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)]
    return f"query Fan {{ ...F{levels - 1} }}\n" + "\n".join(fragments)


def alias_query(count: int) -> str:
    return "{ " + " ".join(f"a{i}: categories {{ slug }}" for i in range(count)) + " }"


def default_heavy_query(size: int) -> str:
    # A list default of `size` characters: tens of thousands of AST nodes, cached per text.
    items = ",".join(["1"] * (size // 2))
    return "query Big($v: [Int] = [" + items + "]) { categories { slug } }"


Answer = Callable[[httpx.Request], httpx.Response]


def small_answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": None, "errors": [{"message": "no"}]})


def huge_answer(request: httpx.Request) -> httpx.Response:
    names = ",".join(json.dumps({"slug": "s" * 1000, "name": "n"}) for _ in range(200_000))
    body = '{"data":{"categories":[' + names + "]}}"
    return httpx.Response(200, content=body.encode(), headers=JSON_HEADERS)


def leaky_answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "data": None,
            "errors": [
                {
                    "message": "(sqlite3.OperationalError) SELECT * FROM listing WHERE ...",
                    "extensions": {"code": "INTERNAL", "stacktrace": ["File /srv/app.py"]},
                }
            ],
        },
    )


ATTACKS: dict[str, tuple[Callable[[httpx.AsyncClient], Awaitable[httpx.Response]], Answer]] = {}


def attack(name: str, answer: Answer = small_answer) -> Callable[..., Any]:
    def register(run: Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]) -> Any:
        ATTACKS[name] = (run, answer)
        return run

    return register


def post(client: httpx.AsyncClient, body: object, **headers: str) -> Awaitable[httpx.Response]:
    return client.post("/graphql", content=json.dumps(body), headers={**JSON_HEADERS, **headers})


@attack("fragments-16")
async def _fragments_16(client: httpx.AsyncClient) -> httpx.Response:
    return await post(client, {"query": fragment_query(16)})


@attack("fragments-20")
async def _fragments_20(client: httpx.AsyncClient) -> httpx.Response:
    return await post(client, {"query": fragment_query(20)})


@attack("aliases-5000")
async def _aliases(client: httpx.AsyncClient) -> httpx.Response:
    return await post(client, {"query": alias_query(5000)})


@attack("defaults-100kb-x100")
async def _defaults(client: httpx.AsyncClient) -> httpx.Response:
    response = None
    for index in range(100):
        query = default_heavy_query(100_000) + f" # {index}"
        response = await post(client, {"query": query})
    assert response is not None
    return response


@attack("body-10mb")
async def _body(client: httpx.AsyncClient) -> httpx.Response:
    return await post(client, {"query": "{ __typename }", "extensions": {"pad": "x" * 10_000_000}})


@attack("subgraph-200mb-in-memory", huge_answer)
async def _huge(client: httpx.AsyncClient) -> httpx.Response:
    return await post(client, {"query": "{ categories { slug name } }"})


@attack("subgraph-200mb")
async def _huge_over_http(client: httpx.AsyncClient) -> httpx.Response:
    """Every subgraph is a real HTTP server streaming a 200 MB answer (see `run_one`)."""
    return await post(client, {"query": "{ categories { slug name } }"})


async def stream_huge_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """An HTTP/1.1 server answering any request with a 200 MB JSON body, written in chunks."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        item = b'{"slug":"' + b"s" * 1000 + b'","name":"n"},'
        count = 200_000
        body_length = len(b'{"data":{"categories":[') + len(item) * count + len(b"{}]}}")
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(body_length).encode() + b"\r\n\r\n"
            b'{"data":{"categories":['
        )
        for _ in range(count // 1000):
            writer.write(item * 1000)
            await writer.drain()
        writer.write(b"{}]}}")
        await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


@attack("subgraph-leak", leaky_answer)
async def _leak(client: httpx.AsyncClient) -> httpx.Response:
    return await post(client, {"query": "{ categories { slug } }"})


@attack("operation-name-object")
async def _operation_name(client: httpx.AsyncClient) -> httpx.Response:
    return await post(client, {"query": "{ __typename }", "operationName": {"a": 1}})


@attack("csrf-text-plain")
async def _csrf(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post(
        "/graphql",
        content=json.dumps({"query": "{ __typename }"}),
        headers={"content-type": "text/plain"},
    )


@attack("introspection")
async def _introspection(client: httpx.AsyncClient) -> httpx.Response:
    return await post(client, {"query": "{ __schema { types { name } } }"})


async def run_one(name: str) -> dict[str, Any]:
    from gateway.server import GatewayConfig, create_app
    from gateway.supergraph import Supergraph

    run, answer = ATTACKS[name]
    config = GatewayConfig()
    transport: httpx.AsyncBaseTransport | None = None
    if name == "subgraph-200mb":
        server = await asyncio.start_server(stream_huge_answer, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/graphql"
        names = ("apps", "installs", "marketplace", "metrics")
        config = GatewayConfig(override_subgraph_url=dict.fromkeys(names, url))

    async def subgraphs(request: httpx.Request) -> httpx.Response:
        # A real subgraph is across the network: the event loop runs while it answers.
        await asyncio.sleep(0.001)
        return answer(request)

    if name != "subgraph-200mb":
        transport = httpx.MockTransport(subgraphs)

    app = create_app(
        Supergraph.from_sdl(SUPERGRAPH.read_text(encoding="utf-8")),
        config=config,
        transport=transport,
    )
    stall = 0.0
    done = False

    async def ticker() -> None:
        nonlocal stall
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            stall = max(stall, now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw", timeout=None) as client:
        started = time.perf_counter()
        response = await run(client)
        elapsed = time.perf_counter() - started
    done = True
    await ticking
    try:
        errors = response.json().get("errors") or [{}]
        code = (errors[0].get("extensions") or {}).get("code")
        message = str(errors[0].get("message", ""))[:60]
    except ValueError:
        code, message = None, response.text[:60]
    return {
        "attack": name,
        "status": response.status_code,
        "code": code,
        "message": message,
        "seconds": round(elapsed, 3),
        "max_loop_stall_ms": round(stall * 1000, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--one":
        print(json.dumps(asyncio.run(run_one(argv[1]))))
        return 0
    for name in argv or list(ATTACKS):
        finished = subprocess.run(
            [sys.executable, "-m", "bench.attacks", "--one", name],
            capture_output=True,
            text=True,
            check=False,
        )
        print(finished.stdout.strip() or f"{name}: failed\n{finished.stderr[-2000:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
