"""Print a run's results and store them as JSON in `bench/results/` (gitignored)."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from bench.load.result import LoadResult

if TYPE_CHECKING:
    from bench.load.generator import LoadGenerator
    from bench.runner import Settings

_SUBGRAPH_COLUMNS = ("accounts", "products", "inventory", "reviews")


@dataclass
class GatewayRun:
    gateway: str
    status: str  # "measured", "failed" (did not start or answer), "unavailable" (cannot run here)
    version: str = ""
    failure: str = ""
    load: LoadResult | None = None
    cpu_percent: dict[str, float] = field(default_factory=dict)
    answers_checked: int = 0
    wrong_answers: int = 0
    first_wrong_answer: str = ""
    peak_rss_kib: int = 0  # VmHWM summed over the gateway's process tree
    peak_polled_rss_kib: int = 0  # highest VmRSS sum seen while loaded
    # Requests the subgraphs served during the measured window (their /_bench/requests count).
    subgraph_requests: int = 0
    # The gateway's Python cycle collections by generation during the measured window
    # (`bench/collector.py`); None for a gateway that does not report them.
    collections: tuple[int, ...] | None = None

    @property
    def subgraph_requests_per_request(self) -> float:
        if self.load is None or not self.load.requests:
            return 0.0
        return self.subgraph_requests / self.load.requests

    @property
    def cpu_ms_per_request(self) -> float:
        """The gateway's CPU time per request: steadier than req/s on a shared machine, where
        the gateway gets whatever CPU the others leave it."""
        if self.load is None or not self.load.requests_per_second:
            return 0.0
        return 10 * self.cpu_percent.get("gateway", 0.0) / self.load.requests_per_second

    @property
    def succeeded(self) -> bool:
        return (
            self.status == "measured"
            and self.load is not None
            and self.load.errors == 0
            and self.load.requests > 0
            and self.wrong_answers == 0
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "gateway": self.gateway,
            "version": self.version,
            "status": self.status,
            "succeeded": self.succeeded,
            "failure": self.failure,
            "load": self.load.to_json() if self.load else None,
            "cpu_percent_of_one_core": self.cpu_percent,
            "answers_checked": self.answers_checked,
            "wrong_answers": self.wrong_answers,
            "first_wrong_answer": self.first_wrong_answer,
            "peak_rss_mib": round(self.peak_rss_kib / 1024, 1),
            "peak_polled_rss_mib": round(self.peak_polled_rss_kib / 1024, 1),
            "subgraph_requests": self.subgraph_requests,
            "subgraph_requests_per_request": round(self.subgraph_requests_per_request, 2),
            "gateway_cpu_ms_per_request": round(self.cpu_ms_per_request, 3),
            "gc_collections_by_generation": list(self.collections)
            if self.collections is not None
            else None,
        }


def print_header(
    settings: Settings,
    machine: dict[str, Any],
    generator: LoadGenerator,
    operation_name: str,
    response_bytes: int,
) -> None:
    mode = "SMOKE (tiny load, numbers mean nothing)" if settings.smoke else "benchmark"
    print(f"Switchboard {mode}: operation {operation_name} ({response_bytes / 1000:.1f} kB answer)")
    print(
        f"  {settings.connections} connections, {settings.warmup:.0f} s warm-up, "
        f"{settings.duration:.0f} s measured, gateway workers: {settings.workers}, "
        + (
            "subgraphs: node (graphql-js, no answer cache)"
            if settings.node_subgraphs
            else f"subgraph response cache: {'on' if settings.subgraph_cache else 'off'}"
        )
    )
    print(f"  load generator: {generator.description}")
    print(
        f"  machine: {machine['cores']} cores ({machine['cpu_model']}), "
        f"{machine['memory_gib']} GiB, Linux {machine['kernel']}, Python {machine['python']}"
        + (f", node {machine['node']}" if machine.get("node") else "")
    )


def ratios(runs: list[GatewayRun]) -> dict[str, float] | None:
    """switchboard relative to Apollo Gateway, when both were measured."""
    measured = {run.gateway: run.load for run in runs if run.status == "measured" and run.load}
    ours, apollo = measured.get("switchboard"), measured.get("apollo-gateway")
    if ours is None or apollo is None or not apollo.requests_per_second:
        return None
    return {
        "throughput": round(ours.requests_per_second / apollo.requests_per_second, 3),
        "p99_latency": round(ours.latency_p99_ms / max(apollo.latency_p99_ms, 1e-9), 3),
        "p50_latency": round(ours.latency_p50_ms / max(apollo.latency_p50_ms, 1e-9), 3),
    }


NAME_WIDTH = 28


def print_runs(runs: list[GatewayRun]) -> None:
    print("\nResults")
    print(
        f"  {'gateway':<{NAME_WIDTH}}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'wrong':>7}{'peak RSS':>11}{'subreq/req':>12}{'CPU ms/req':>12}"
    )
    for run in runs:
        if run.status != "measured" or run.load is None:
            reason = run.failure.splitlines()[0] if run.failure else ""
            print(f"  {run.gateway:<{NAME_WIDTH}}{run.status}: {reason}")
            continue
        load = run.load
        print(
            f"  {run.gateway:<{NAME_WIDTH}}{load.requests_per_second:>9.1f}"
            f"{load.latency_p50_ms:>9.1f}{load.latency_p95_ms:>9.1f}{load.latency_p99_ms:>9.1f}"
            f"{load.errors:>8}{run.wrong_answers:>7}{run.peak_rss_kib / 1024:>8.0f} MiB"
            f"{run.subgraph_requests_per_request:>12.2f}{run.cpu_ms_per_request:>12.2f}"
        )
        if load.errors:
            print(
                f"  {'':<{NAME_WIDTH}}errors: {load.non_200_responses} non-200, "
                f"{load.graphql_error_responses} with GraphQL errors, "
                f"{load.transport_errors} transport"
            )
        if run.first_wrong_answer:
            print(f"  {'':<{NAME_WIDTH}}first wrong answer: {run.first_wrong_answer}")
    compared = ratios(runs)
    if compared:
        print(
            f"\n  switchboard / apollo-gateway: throughput {compared['throughput']:.2f}x, "
            f"p99 latency {compared['p99_latency']:.2f}x, "
            f"p50 latency {compared['p50_latency']:.2f}x"
        )
    collected = [run for run in runs if run.collections is not None]
    if collected:
        print(
            "\nPython cycle collections in the gateway during the measured window (by generation)"
        )
        for run in collected:
            counts = " / ".join(str(count) for count in run.collections or ())
            print(f"  {run.gateway:<{NAME_WIDTH}}{counts}")
    measured = [run for run in runs if run.cpu_percent]
    if measured:
        columns = ("gateway", *_SUBGRAPH_COLUMNS, "load generator", "other processes")
        print(
            f"\nCPU during the measured window (% of one core; {os.cpu_count()} cores = "
            f"{100 * (os.cpu_count() or 1)}%)"
        )
        widths = [max(10, len(column)) + 2 for column in columns]
        print(
            f"  {'':<{NAME_WIDTH}}"
            + "".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True))
        )
        for run in measured:
            print(
                f"  {run.gateway:<{NAME_WIDTH}}"
                + "".join(
                    f"{run.cpu_percent.get(column, 0.0):>{width}.1f}"
                    for column, width in zip(columns, widths, strict=True)
                )
            )


def write_json(
    settings: Settings,
    machine: dict[str, Any],
    generator: LoadGenerator,
    operation_name: str,
    response_bytes: int,
    runs: list[GatewayRun],
) -> Path:
    now = datetime.datetime.now(datetime.UTC)
    document = {
        "started_at": now.isoformat(timespec="seconds"),
        "settings": {
            "duration_seconds": settings.duration,
            "warmup_seconds": settings.warmup,
            "connections": settings.connections,
            "workers": settings.workers,
            "smoke": settings.smoke,
            "subgraph_response_cache": settings.subgraph_cache,
            "node_subgraphs": settings.node_subgraphs,
        },
        "operation": {"name": operation_name, "response_bytes": response_bytes},
        "load_generator": {"name": generator.name, "description": generator.description},
        "machine": machine,
        "runs": [run.to_json() for run in runs],
        "ratios_switchboard_to_apollo": ratios(runs),
    }
    settings.results_directory.mkdir(parents=True, exist_ok=True)
    label = "smoke" if settings.smoke else "bench"
    path = settings.results_directory / f"{now.strftime('%Y%m%dT%H%M%SZ')}-{label}.json"
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return path
