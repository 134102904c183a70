"""`switchboard serve --workers 2` as real processes: both workers take connections, a dead
worker is replaced, and SIGTERM stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.waiting import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SUPERGRAPH = ROOT / "bench" / "supergraph.graphql"
SWITCHBOARD = Path(sys.executable).parent / "switchboard"
# Answered by the gateway itself: no subgraph needs to run.
QUERY = {"query": "{ __typename }"}


def workers_of(parent: int) -> set[int]:
    """The serving processes under `parent` (not multiprocessing's resource tracker)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{parent}\n" in status and b"spawn_main" in command:
            found.add(int(entry))
    return found


def eventually(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.1)


def answers(url: str) -> bool:
    try:
        response = httpx.post(url, json=QUERY, timeout=5)
    except httpx.TransportError:
        return False
    return response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


@pytest.fixture
def gateway() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    process = subprocess.Popen(
        [
            *(str(SWITCHBOARD), "serve", "--supergraph", str(SUPERGRAPH)),
            *("--port", str(port), "--workers", "2"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        eventually(lambda: process.poll() is not None or answers(url))
        assert process.poll() is None
        yield process, url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.timeout(180)
def test_both_workers_take_connections_and_a_dead_one_is_replaced(
    gateway: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, url = gateway
    eventually(lambda: len(workers_of(process.pid)) == 2)
    first, second = sorted(workers_of(process.pid))
    busy_before = {pid: _cpu_ticks(pid) for pid in (first, second)}
    # Separate connections: the kernel spreads them over both workers' sockets.
    for _ in range(60):
        assert answers(url)
    assert all(_cpu_ticks(pid) > busy_before[pid] for pid in (first, second))

    os.kill(first, signal.SIGKILL)
    eventually(lambda: len(workers_of(process.pid) - {first}) == 2)
    eventually(lambda: answers(url))


@pytest.mark.timeout(180)
def test_sigterm_stops_the_parent_and_every_worker(
    gateway: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, url = gateway
    eventually(lambda: len(workers_of(process.pid)) == 2)
    workers = workers_of(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    eventually(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers))
    assert not answers(url)


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


@pytest.mark.timeout(180)
def test_metrics_add_up_every_workers_requests(
    gateway: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, url = gateway
    eventually(lambda: len(workers_of(process.pid)) == 2)
    metrics = url.replace("/graphql", "/metrics")
    before = requests_counted(metrics)  # the fixture's own requests, while it waited
    for _ in range(40):
        assert answers(url)
    # Each scrape is a new connection, answered by either worker: all see both workers' counts.
    assert {requests_counted(metrics) for _ in range(6)} == {before + 40}


def requests_counted(metrics_url: str) -> float:
    text = httpx.get(metrics_url, timeout=5).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "switchboard_requests_total"
    )
