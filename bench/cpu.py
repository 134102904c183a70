"""`python -m bench.cpu`: the gateway's CPU time per request, in process, for variants of the
hot path (no token, a token on every request, in-flight deduplication and collapsing, metering).

Wall-clock throughput on the shared 2-core machine moves with everyone else's load; the CPU
time this process spends per request moves far less. The benchmark subgraphs run as their own
processes (`bench.subgraphs`, as `python -m bench` starts them), and the gateway's ASGI app runs
here, with the garbage collector tuned as `switchboard serve` tunes it. `--concurrency` tasks
send the HeavyNested operation straight to the app (an ASGI request per operation, no HTTP
server), so this process's CPU time is the gateway's alone: routing, the view, authentication,
planning from the cache, the subgraph fetches over real sockets, shaping, metering. The
variants are measured in turn, round after round (in reverse order every other round, so the
order does not favour one), and the median of the rounds is reported with its ratio to the
first variant, and with the median of its ratios to the first variant round by round
(`paired`: each round's two figures were measured one after the other, under the same load).

    plain        no token; deduplication and collapsing off (every client request runs its
                 plan and makes its 8 fetches)
    dedup        no token; identical subgraph fetches in flight shared, collapsing off
    collapse     no token; identical operations in flight share one execution, and fetches
                 (the default configuration)
    jwt          a token per request, verified (ES256), forwarded to every fetch; deduplication
                 and collapsing off
    jwt+dedup    as `jwt`, in the default configuration (distinct tokens share nothing)
    metered      as `jwt+dedup`, with demand control, rate limits and usage records on (the
                 records go to a sink in this process that counts them)

`--profile DIRECTORY` also writes a cProfile of each variant's first round there.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import statistics
import tempfile
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvloop
from joserfc.jwk import ECKey
from starlette.applications import Starlette

from bench.asgi import Message, post
from bench.auth import ISSUER, mint_tokens
from bench.operation import DEFAULT_OPERATION, OPERATIONS
from bench.runner import Settings, SubgraphFleet
from gateway.auth import Authenticator, Issuer, Revocations, StaticKeys, TokenVerifier
from gateway.server import GatewayConfig, create_app
from gateway.server.runner import tune_garbage_collection
from gateway.supergraph import Supergraph
from gateway.usage import UsageRecord

VARIANTS = ("plain", "dedup", "collapse", "jwt", "jwt+dedup", "metered")
# Never reached: the buckets are exercised, not emptied.
UNLIMITED = {"limit": 1_000_000_000, "window_seconds": 60}


@dataclass
class CountingSink:
    """Usage records end here: counted, not sent."""

    received: int = 0

    async def send(self, records: Sequence[UsageRecord]) -> None:
        self.received += len(records)

    async def close(self) -> None:
        return None


def variant_config(variant: str) -> GatewayConfig:
    settings: dict[str, Any] = {}
    if variant in ("plain", "jwt"):
        settings["subgraphs"] = {"deduplicate_queries": False, "deduplicate_operations": False}
    if variant == "dedup":
        settings["subgraphs"] = {"deduplicate_operations": False}
    if variant == "metered":
        settings["demand_control"] = {"enabled": True}
        settings["rate_limits"] = {
            "enabled": True,
            "installation": {"requests": UNLIMITED, "cost": UNLIMITED},
            "app": {"requests": UNLIMITED},
        }
    return GatewayConfig.model_validate(settings)


@asynccontextmanager
async def running(app: Starlette) -> Any:
    """The app between its lifespan's start-up and shutdown."""
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})

    async def tell(message: Message) -> None:
        await outbox.put(message)

    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, tell)
    )
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"the app did not start: {started}")
    try:
        yield app
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


async def drive(
    app: Starlette, body: bytes, tokens: Sequence[str], requests: int, concurrency: int
) -> None:
    numbers = iter(range(requests))

    async def client() -> None:
        for number in numbers:
            token = tokens[number % len(tokens)] if tokens else None
            status, answer = await post(app, body, token)
            if status != 200 or b'"errors"' in answer:
                raise RuntimeError(f"a wrong answer ({status}): {answer[:300]!r}")

    await asyncio.gather(*(client() for _ in range(concurrency)))


async def measure(arguments: argparse.Namespace) -> dict[str, list[float]]:
    work = Path(tempfile.mkdtemp(prefix="switchboard-bench-cpu-"))
    fleet = SubgraphFleet.start(work, Settings())
    try:
        sdl = fleet.supergraph_sdl()
        body = OPERATIONS[DEFAULT_OPERATION].request_body
        key = ECKey.generate_key("P-256", parameters={"kid": "bench-cpu"})
        public = ECKey.import_key(key.as_dict(private=False))
        tokens = mint_tokens(key, max(arguments.concurrency, 50))
        apps: dict[str, Starlette] = {}
        async with AsyncExitStack() as stack:
            for variant in arguments.variants:
                verifier = TokenVerifier([Issuer(ISSUER, StaticKeys([public]))])
                app = create_app(
                    Supergraph.from_sdl(sdl),
                    config=variant_config(variant),
                    authenticator=Authenticator(verifier, Revocations()),
                    usage_sink=CountingSink() if variant == "metered" else None,
                )
                apps[variant] = await stack.enter_async_context(running(app))
                await drive(app, body, tokens_of(variant, tokens), 100, arguments.concurrency)
            tune_garbage_collection()
            return await rounds(apps, body, tokens, arguments)
    finally:
        fleet.stop()


def tokens_of(variant: str, tokens: Sequence[str]) -> Sequence[str]:
    return () if variant in ("plain", "dedup", "collapse") else tokens


async def rounds(
    apps: dict[str, Starlette], body: bytes, tokens: Sequence[str], arguments: argparse.Namespace
) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {variant: [] for variant in apps}
    for number in range(arguments.rounds):
        # Every other round runs the variants in reverse order, so whichever runs first in a
        # round (after the previous one's garbage, with caches as another variant left them)
        # is not always the same one.
        order = list(apps.items()) if number % 2 == 0 else list(reversed(apps.items()))
        for variant, app in order:
            profile = cProfile.Profile() if arguments.profile and number == 0 else None
            started = time.process_time()
            if profile is not None:
                profile.enable()
            await drive(
                app, body, tokens_of(variant, tokens), arguments.requests, arguments.concurrency
            )
            if profile is not None:
                profile.disable()
                profile.dump_stats(arguments.profile / f"{variant.replace('+', '-')}.pstats")
            cpu_ms = (time.process_time() - started) / arguments.requests * 1000
            results[variant].append(cpu_ms)
            print(f"round {number + 1}  {variant:10s} {cpu_ms:.3f} CPU ms per request", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=600, help="per variant and round (600)")
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight (20)")
    parser.add_argument(
        "--variants", type=lambda text: text.split(","), default=list(VARIANTS),
        help=f"comma-separated, the first is the reference ({','.join(VARIANTS)})",
    )  # fmt: skip
    parser.add_argument("--profile", type=Path, default=None, help="a directory for cProfiles")
    arguments = parser.parse_args(argv)
    unknown = set(arguments.variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants: {sorted(unknown)}")
    if arguments.profile is not None:
        arguments.profile.mkdir(parents=True, exist_ok=True)
    with open("/proc/loadavg", encoding="ascii") as load:
        print(f"load average at the start: {' '.join(load.read().split()[:3])}")
    results = uvloop.run(measure(arguments))
    references = results[arguments.variants[0]]
    reference = statistics.median(references)
    print("\nvariant     median CPU ms/request  ratio  paired   rounds")
    for variant, figures in results.items():
        median = statistics.median(figures)
        # Each round's figure over the reference's in the same round, measured next to it:
        # steadier than the ratio of the medians when the machine's load drifts.
        paired = statistics.median(
            figure / base for figure, base in zip(figures, references, strict=True)
        )
        rounded = ", ".join(f"{figure:.3f}" for figure in figures)
        ratio = median / reference
        print(f"{variant:10s}  {median:20.3f}  {ratio:5.3f}  {paired:6.3f}   {rounded}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
