"""`python -m bench.slowloris [--connections N] [--seconds S]`: slow clients against `serve`.

Starts `switchboard serve` on the checked-in supergraph (no subgraph is needed: nothing is
ever asked of them), opens N connections that each send a request line and then one header
line every few seconds, never finishing the head, and after S seconds counts how many the
gateway still holds open. Then checks that an ordinary request is still answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.waiting import free_port

ROOT = Path(__file__).resolve().parent.parent


def start_gateway(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--supergraph", "schema/supergraph.graphql",
         "--port", str(port)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def main(connections: int, seconds: float) -> None:
    port = free_port()
    server = start_gateway(port)
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    await client.get(f"http://127.0.0.1:{port}/health")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        opened = []
        for _ in range(connections):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST /graphql HTTP/1.1\r\nhost: gateway\r\n")
            opened.append((reader, writer))
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            await asyncio.sleep(5)
            for _, writer in opened:
                if not writer.is_closing():
                    writer.write(b"x-slow: 1\r\n")
        still_open = 0
        for reader, _ in opened:
            try:
                data = await asyncio.wait_for(reader.read(1024), 0.01)
            except TimeoutError:
                still_open += 1
                continue
            except ConnectionError:
                continue
            if data and not data.startswith(b"HTTP/1.1 408"):
                still_open += 1
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}, timeout=10
            )
        print(
            f"{connections} slow connections, after {seconds:.0f} s: {still_open} still open; "
            f"an ordinary request: {response.status_code} {response.text[:60]}"
        )
        for _, writer in opened:
            writer.close()
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.slowloris")
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.connections, arguments.seconds))
