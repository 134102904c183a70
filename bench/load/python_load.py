"""The fallback load generator, used when wrk is not installed: asyncio keep-alive connections.

Run in its own process (`python -m bench.load.python_load ...`) so it does not share an
interpreter with the harness; it prints one JSON result line. Each connection is a plain asyncio
stream speaking just enough HTTP/1.1 (one pre-encoded request, Content-Length or chunked answers):
httpx's connection pool measured at ~300 requests/s here, slower than the gateways it would
measure, while this reaches thousands. It is still less efficient than wrk and takes CPU the
gateway could have used on a small machine, which the report shows.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from bench.load.result import LoadResult, percentile

RESULT_PREFIX = "BENCH_RESULT "


class _Connection:
    def __init__(self, host: str, port: int, request: bytes) -> None:
        self._host, self._port, self._request = host, port, request
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def exchange(self) -> tuple[int, bytes]:
        """Send the request once; the status and body of the answer."""
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        assert self._reader is not None
        self._writer.write(self._request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if headers.get("transfer-encoding") == "chunked":
            body = await self._read_chunked()
        else:
            body = await self._reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            await self.close()
        return status, body

    async def _read_chunked(self) -> bytes:
        assert self._reader is not None
        chunks: list[bytes] = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self._reader.readexactly(size + 2)
            if size == 0:
                return b"".join(chunks)
            chunks.append(chunk[:-2])

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _request_bytes(url: str, body: bytes, token: str | None = None) -> tuple[str, int, bytes]:
    parsed = urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    authorization = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (
        f"POST {parsed.path or '/'} HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        f"{authorization}"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return host, port, head.encode() + body


async def generate_load(
    url: str, body: bytes, connections: int, duration: float, tokens: tuple[str, ...] = ()
) -> LoadResult:
    """`tokens`: one per connection (cycled when fewer), each sent on all its requests."""
    latencies: list[float] = []
    counts = {"non_200": 0, "graphql_errors": 0, "transport": 0}
    started = time.perf_counter()
    deadline = started + duration

    async def connection_loop(index: int) -> None:
        token = tokens[index % len(tokens)] if tokens else None
        connection = _Connection(*_request_bytes(url, body, token))
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                status, answer = await asyncio.wait_for(connection.exchange(), timeout=10.0)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
                counts["transport"] += 1
                await connection.close()
                await asyncio.sleep(0.01)
                continue
            latencies.append(time.perf_counter() - sent)
            if status != 200:
                counts["non_200"] += 1
            elif b'"errors"' in answer:
                counts["graphql_errors"] += 1
        await connection.close()

    await asyncio.gather(*(connection_loop(index) for index in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    requests = len(latencies)
    return LoadResult(
        generator="python-asyncio",
        duration_seconds=round(elapsed, 3),
        connections=connections,
        requests=requests,
        requests_per_second=round(requests / elapsed, 1) if elapsed else 0.0,
        latency_p50_ms=round(percentile(latencies, 0.50) * 1000, 3),
        latency_p95_ms=round(percentile(latencies, 0.95) * 1000, 3),
        latency_p99_ms=round(percentile(latencies, 0.99) * 1000, 3),
        latency_max_ms=round((latencies[-1] if latencies else 0.0) * 1000, 3),
        non_200_responses=counts["non_200"],
        graphql_error_responses=counts["graphql_errors"],
        transport_errors=counts["transport"],
    )


def command(
    url: str, body_path: Path, connections: int, duration: float, tokens_path: Path | None = None
) -> list[str]:
    tokens = ["--tokens-file", str(tokens_path)] if tokens_path is not None else []
    return [
        sys.executable, "-m", "bench.load.python_load",
        "--url", url,
        "--body-file", str(body_path),
        "--connections", str(connections),
        "--duration", str(duration),
        *tokens,
    ]  # fmt: skip


def parse_output(output: str, cpu_seconds: float = 0.0) -> LoadResult:
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            fields = orjson.loads(line[len(RESULT_PREFIX) :])
            fields.pop("errors", None)
            fields["generator_cpu_seconds"] = round(cpu_seconds, 2)
            return LoadResult(**fields)
    raise ValueError(f"the load generator printed no result line:\n{output}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load.python_load", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--body-file", type=Path, required=True)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--tokens-file", type=Path, default=None, help="one Bearer token a line")
    args = parser.parse_args(argv)
    tokens = tuple(args.tokens_file.read_text().split()) if args.tokens_file else ()
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # uvicorn[standard] brings it; plain asyncio works too
        pass
    result = asyncio.run(
        generate_load(
            args.url, args.body_file.read_bytes(), args.connections, args.duration, tokens
        )
    )
    sys.stdout.write(RESULT_PREFIX + orjson.dumps(result.to_json()).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
