"""`python -m bench.webhooks`: how fast one webhook sender delivers, and how soon after a
mutation commits its event reaches the receiver.

Two measurements, each against a receiver in its own process (`python -m bench.webhooks
receiver`, a Starlette app under uvicorn that answers 200 and notes each arrival; it does not
verify signatures, which the tests do, so its CPU goes to receiving):

1. **Throughput**: `--deliveries` deliveries are queued in the apps database, then one sender
   (this process, `WebhookSender.deliver`) sends them; deliveries per second is their count over
   the time from the sender's start to the last one recorded SUCCEEDED, and deliveries per CPU
   second their count over the CPU time this process used meanwhile (which a busy machine
   does not change much).
2. **Commit to delivery**: the apps subgraph (in this process) commits `--mutations` `updateApp`
   mutations at `--rate` per second, relaying each event to Redis Streams; a sender process
   (`python -m subgraphs.apps.webhooks`) reads the stream and delivers. The delay is the
   receiver's arrival time minus the event's `timestamp` (its outbox row's commit time), both on
   this machine's clock; p50 and p99 over all mutations.

The database is a fresh SQLite file (or `--database-url`, migrated and seeded); Redis is
`REDIS_URL` with a stream of the run's own, deleted afterwards. Results print and go to
`bench/results/<UTC time>-webhooks.json`; the exit status is 1 when a delivery went missing or
arrived twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def receiver_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    arrivals: list[tuple[float, str, str]] = []

    async def receive(request: Request) -> Response:
        body = json.loads(await request.body())
        arrivals.append((time.time(), request.headers["webhook-id"], body["timestamp"]))
        return PlainTextResponse("ok")

    async def stats(_request: Request) -> Response:
        return JSONResponse(arrivals)

    return Starlette(routes=[Route("/hooks", receive, methods=["POST"]), Route("/stats", stats)])


def run_receiver(port: int) -> None:
    import uvicorn

    uvicorn.run(receiver_app(), host="127.0.0.1", port=port, log_level="warning")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_receiver() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.webhooks", "receiver", "--port", str(port)], cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/stats", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the receiver did not start")


async def poll(
    check: Callable[[], Awaitable[bool]], *, seconds: float, interval: float = 0.1
) -> None:
    """Wait until `check` holds, for at most `seconds` (then go on: the counts tell)."""
    for _ in range(int(seconds / interval)):
        if await check():
            return
        await asyncio.sleep(interval)


async def arrivals(base: str) -> list[tuple[float, str, str]]:
    async with httpx.AsyncClient(timeout=30) as client:
        answer: list[tuple[float, str, str]] = (await client.get(f"{base}/stats")).json()
    return answer


async def prepare(database_url: str, hook_url: str) -> tuple[Any, str]:
    """The migrated, seeded apps database, with one app's endpoint at the receiver."""
    from subgraphs.apps.subgraph import SUBGRAPH
    from subgraphs.apps.webhooks import queue
    from subgraphs.common.database import Database
    from subgraphs.common.server import prepare_database
    from subgraphs.demo.world import world

    database = Database(database_url)
    await prepare_database(SUBGRAPH, database, seed=True)
    app = next(app for app in world().apps if app.status == "PUBLISHED")
    async with database.engine.begin() as connection:
        await connection.execute(
            sa.update(queue.APPS).where(queue.APPS.c.id == app.id).values(webhook_url=hook_url)
        )
    return database, app.id


async def throughput(database: Any, app_id: str, base: str, count: int) -> dict[str, Any]:
    from subgraphs.apps.webhooks import queue
    from subgraphs.apps.webhooks.destinations import DestinationGuard
    from subgraphs.apps.webhooks.sender import WebhookSender
    from subgraphs.common.clock import utc_now
    from subgraphs.common.events import InMemoryEventBus

    now = utc_now()
    body = queue.body("bench.delivery", now, {"app_id": app_id, "pad": "x" * 400}, event_id=None)
    rows = [queue.delivery_values(app_id, "bench.delivery", body, now) for _ in range(count)]
    async with database.engine.begin() as connection:
        await connection.execute(sa.insert(queue.DELIVERIES), rows)
    sender = WebhookSender(
        database, InMemoryEventBus(), guard=DestinationGuard(allowed_hosts={"127.0.0.1"})
    )
    started = time.perf_counter()
    cpu_started = time.process_time()
    task = asyncio.create_task(sender.deliver())

    async def drained() -> bool:
        return await queue.queue_depth(database) == 0

    await poll(drained, seconds=600, interval=0.05)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await sender.client.aclose()
    received = len({message_id for _at, message_id, _ts in await arrivals(base)})
    return {
        "deliveries": count,
        "received": received,
        "seconds": round(elapsed, 3),
        "deliveries_per_second": round(count / elapsed, 1),
        # On a shared machine the sender gets what CPU it can: per CPU second tells its cost.
        "sender_cpu_seconds": round(cpu, 3),
        "deliveries_per_cpu_second": round(count / cpu, 1),
    }


async def commit_to_delivery(
    database_url: str, database: Any, app_id: str, base: str, mutations: int, rate: float
) -> dict[str, Any]:
    from subgraphs.apps.subgraph import SUBGRAPH
    from subgraphs.apps.webhooks import consumer
    from subgraphs.common.redis_bus import RedisEventBus
    from subgraphs.common.server import create_app
    from subgraphs.common.tokens import TokenAuthentication
    from subgraphs.demo.world import world
    from tests.issuer import TestIssuer

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    stream = f"bench:webhooks:{uuid.uuid4().hex}"
    bus = RedisEventBus.from_url(redis_url, stream=stream)
    environment = {**os.environ, "EVENT_BUS": "redis", "REDIS_URL": redis_url}
    environment |= {"EVENT_STREAM": stream, "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
    sender = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "subgraphs.apps.webhooks", "--database-url", database_url),
        cwd=ROOT,
        env=environment,
    )
    organization = next(app for app in world().apps if app.id == app_id).organization_id
    # The owner calls with an access token of an issuer the subgraph trusts for this run.
    issuer = TestIssuer()
    owner_headers = issuer.headers(org=organization, scopes=frozenset({"apps:write"}))
    trusting = TokenAuthentication.with_keys(issuer.issuer, issuer.key_source())
    transport = httpx.ASGITransport(app=create_app(SUBGRAPH, database, bus, trusting))
    before = len(await arrivals(base))
    try:

        async def sender_reads_the_bus() -> bool:
            async with database.engine.connect() as connection:
                count = sa.select(sa.func.count()).select_from(consumer.CURSORS)
                return bool(await connection.scalar(count))

        await poll(sender_reads_the_bus, seconds=60)
        async with httpx.AsyncClient(transport=transport, base_url="http://apps") as client:
            mutation = """mutation($id: ID!, $d: String!) {
              updateApp(id: $id, input: {description: $d}) { id } }"""
            for number in range(mutations):
                tick = time.perf_counter()
                answer = await client.post(
                    "/graphql",
                    json={"query": mutation, "variables": {"id": app_id, "d": f"bench {number}"}},
                    headers=owner_headers,
                )
                assert "errors" not in answer.json(), answer.json()
                await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - tick)))

        async def all_arrived() -> bool:
            return len(await arrivals(base)) >= before + mutations

        await poll(all_arrived, seconds=60)
        found = (await arrivals(base))[before:]
    finally:
        sender.terminate()
        await sender.wait()
        await bus._client.delete(stream, f"{stream}:last-id")
        await bus.close()
    delays = sorted(
        (arrived - datetime.fromisoformat(stamp).timestamp()) * 1000
        for arrived, _id, stamp in found
    )
    return {
        "mutations": mutations,
        "delivered": len(found),
        "rate_per_second": rate,
        "p50_ms": round(statistics.quantiles(delays, n=100, method="inclusive")[49], 1),
        "p99_ms": round(statistics.quantiles(delays, n=100, method="inclusive")[98], 1),
        "max_ms": round(delays[-1], 1),
    }


async def run(args: argparse.Namespace, base: str) -> dict[str, Any]:
    from bench.machine import machine_notes

    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{scratch}/apps.db"
        database, app_id = await prepare(url, f"{base}/hooks")
        try:
            results: dict[str, Any] = {
                "machine": machine_notes(),
                "backend": database.url.split(":", 1)[0],
                "throughput": await throughput(database, app_id, base, args.deliveries),
            }
            if not args.skip_latency:
                results["commit_to_delivery"] = await commit_to_delivery(
                    url, database, app_id, base, args.mutations, args.rate
                )
        finally:
            await database.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhooks")
    parser.add_argument("mode", nargs="?", default="bench", choices=["bench", "receiver"])
    parser.add_argument("--port", type=int, default=0, help="receiver mode: where to listen")
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--mutations", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="mutations per second")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--skip-latency", action="store_true", help="throughput only (no Redis)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.mode == "receiver":
        run_receiver(args.port)
        return 0
    process, base = start_receiver()
    try:
        results = asyncio.run(run(args, base))
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(json.dumps(results, indent=2))
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (args.results_dir / f"{stamp}-webhooks.json").write_text(json.dumps(results, indent=2))
    # A run that lost or repeated a delivery measured something else: it fails.
    complete = results["throughput"]["received"] == args.deliveries
    if "commit_to_delivery" in results:
        complete = complete and results["commit_to_delivery"]["delivered"] == args.mutations
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
