"""The subscription clients the tests use: the `graphql-ws` and `graphql-sse` JavaScript
clients from npm (run by node), and Apollo's multipart format and raw SSE read with httpx.

The npm packages are installed by the tests with `npm ci` from the committed lockfile into
`tests/subscriptions/clients/node_modules/` (ignored by git).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import unavailable

CLIENTS = Path(__file__).resolve().parent / "clients"
SCRIPT = CLIENTS / "subscribe.mjs"
MULTIPART = 'multipart/mixed;subscriptionSpec="1.0",application/json'


def install_clients() -> None:
    """`npm ci` once: again only when the lockfile changed since."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable("node and npm", FileNotFoundError("node or npm is not on PATH"))
    lock = CLIENTS / "package-lock.json"
    stamp = CLIENTS / "node_modules" / ".installed-lock"
    if stamp.exists() and stamp.read_text() == lock.read_text():
        return
    subprocess.run(
        [
            str(npm), "ci", "--prefix", str(CLIENTS),
            "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error",
        ],
        check=True,
        timeout=300,
    )  # fmt: skip
    stamp.write_text(lock.read_text())


@dataclass
class Received:
    """What a JavaScript client printed: each event's payload, and how the stream ended."""

    events: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = False
    error: Any = None
    timeout: bool = False

    @property
    def ids(self) -> list[str]:
        return [str(event["extensions"]["eventId"]) for event in self.events]


class JavaScriptClient:
    """One `node subscribe.mjs` run; `started` once it subscribed, `finished()` for what came."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(
        cls,
        protocol: str,
        url: str,
        query: str,
        *,
        token: str | None = None,
        variables: dict[str, Any] | None = None,
        count: int | None = None,
        extra_ms: int = 0,
        # Generous: on a machine busy with other suites an event can take seconds.
        timeout_ms: int = 60_000,
    ) -> JavaScriptClient:
        options = {
            "protocol": protocol,
            "url": url,
            "token": token,
            "query": query,
            "variables": variables or {},
            "count": count,
            "extraMs": extra_ms,
            "timeoutMs": timeout_ms,
        }
        process = await asyncio.create_subprocess_exec(
            "node",
            str(SCRIPT),
            json.dumps(options),
            cwd=CLIENTS,
            stdout=asyncio.subprocess.PIPE,
        )
        client = cls(process)
        assert process.stdout is not None
        first = json.loads(await process.stdout.readline())
        assert first == {"subscribed": True}, first
        return client

    async def finished(self) -> Received:
        assert self.process.stdout is not None
        received = Received()
        async for line in self.process.stdout:
            message = json.loads(line)
            if "next" in message:
                received.events.append(message["next"])
            elif "complete" in message:
                received.complete = True
            elif "error" in message:
                received.error = message["error"]
            elif "timeout" in message:
                received.timeout = True
        await self.process.wait()
        return received


@dataclass
class StreamedEvent:
    """One SSE event or multipart part, as read off the wire."""

    payload: dict[str, Any] | None
    event: str | None = None  # SSE: `next` or `complete`
    id: str | None = None  # SSE: the `id:` field


async def sse_events(response: httpx.Response) -> AsyncIterator[StreamedEvent]:
    """Parse a `text/event-stream` body (comments are keep-alives)."""
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line == "":
            if fields:
                data = fields.get("data")
                yield StreamedEvent(
                    json.loads(data) if data else None, fields.get("event"), fields.get("id")
                )
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


async def multipart_parts(response: httpx.Response) -> AsyncIterator[StreamedEvent]:
    """Parse Apollo's multipart subscription body: parts separated by `--graphql`, each a
    JSON object with `payload` (or `{}`, a heartbeat); `--graphql--` ends it."""
    content_type = response.headers["content-type"]
    assert content_type.startswith("multipart/mixed"), content_type
    assert "subscriptionSpec=1.0" in content_type.replace('"', ""), content_type
    buffer = ""
    async for chunk in response.aiter_text():
        buffer += chunk
        while True:
            start = buffer.find("\r\n\r\n")
            if start < 0:
                break
            end = buffer.find("\r\n--graphql", start)
            if end < 0:
                break
            body = json.loads(buffer[start + 4 : end])
            buffer = buffer[end + len("\r\n--graphql") :]
            if body:
                yield StreamedEvent(body.get("payload"))
        if buffer.startswith("--"):
            return
