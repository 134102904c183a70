"""One benchmark run: subgraphs up, then each gateway in turn started, checked, warmed up,
loaded and measured under identical conditions, then everything stopped and reported.

Honesty rules the code keeps: every gateway gets the same supergraph, the same subgraph
processes, the same operation, the same connection count, warm-up and duration; answers are
checked against the expected response before and after the load; a gateway that does not answer
correctly is reported as such, not silently measured.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson

from bench import collector, gateways, node_subgraphs, report
from bench.auth import BenchAuth, bench_issuer
from bench.compose import SUPERGRAPH_PATH
from bench.load.generator import LoadGenerator, choose
from bench.machine import machine_notes
from bench.operation import DEFAULT_OPERATION, OPERATIONS, BenchOperation
from bench.processes import ManagedProcess, ProcessFailed, answers_post, free_port
from bench.procstats import CpuMeter, PeakRssSampler, tree_memory_kib
from bench.report import GatewayRun
from bench.subgraphs import SUBGRAPHS
from bench.subgraphs.server import REQUESTS_PATH
from bench.validation import validate_sample

DEFAULT_RESULTS_DIRECTORY = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Settings:
    duration: float = 30.0
    warmup: float = 5.0
    connections: int = 50
    workers: int = 1
    compare_apollo: bool = False
    skip_switchboard: bool = False
    smoke: bool = False
    load_generator: str = "auto"
    subgraph_cache: bool = True
    validation_samples: int = 20
    ready_timeout: float = 90.0
    results_directory: Path = DEFAULT_RESULTS_DIRECTORY
    record_subgraph_requests: Path | None = None
    # A key of `bench.operation.OPERATIONS`; the full HeavyNested operation unless chosen.
    operation: str = DEFAULT_OPERATION
    # Also measure Switchboard with a valid access token on every request (`bench/auth.py`).
    auth: bool = False
    # Also Hive Gateway, as shipped and with Hive Router's Rust query planner.
    compare_hive: bool = False
    # Also each gateway that can turn in-flight deduplication off, with it off (Switchboard:
    # with operation collapsing off, then with fetch deduplication off too).
    compare_dedup: bool = False
    # The Node subgraphs (graphql-js, `bench/node_subgraphs/`) instead of the Python ones.
    node_subgraphs: bool = False
    # Times the whole list of gateways is measured, one after the other (alternating).
    rounds: int = 1

    @property
    def bench_operation(self) -> BenchOperation:
        return OPERATIONS[self.operation]

    @classmethod
    def for_smoke(cls, **overrides: object) -> Settings:
        """A few seconds of tiny load: proves the harness end to end, measures nothing."""
        values: dict[str, object] = {
            "duration": 2.0,
            "warmup": 1.0,
            "connections": 4,
            "validation_samples": 3,
            "smoke": True,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def requests_served(urls: Iterable[str]) -> int:
    """GraphQL requests the benchmark subgraphs at `urls` have served since they started."""
    total = 0
    for url in urls:
        answer = httpx.get(url.removesuffix("/graphql") + REQUESTS_PATH.decode(), timeout=10)
        total += int(answer.json()["requests"])
    return total


@dataclass
class SubgraphFleet:
    processes: dict[str, ManagedProcess] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    @classmethod
    def start(cls, work_directory: Path, settings: Settings) -> SubgraphFleet:
        fleet = cls()
        probe_body = orjson.dumps({"query": "{ _service { sdl } }"})
        node_folder = node_subgraphs.prepare(work_directory) if settings.node_subgraphs else None
        try:
            for name in SUBGRAPHS:
                port = free_port()
                if node_folder is not None:
                    command = node_subgraphs.command(node_folder, name, port)
                else:
                    command = [sys.executable, "-m", "bench.subgraphs", name, "--port", str(port)]
                    if not settings.subgraph_cache:
                        command.append("--no-cache")
                    if settings.record_subgraph_requests is not None:
                        command += ["--record", str(settings.record_subgraph_requests)]
                fleet.processes[name] = ManagedProcess.start(
                    f"subgraph-{name}", command, work_directory, cwd=node_folder
                )
                fleet.urls[name] = f"http://127.0.0.1:{port}/graphql"
            for name, process in fleet.processes.items():
                process.wait_ready(answers_post(fleet.urls[name], probe_body), timeout=30)
        except BaseException:
            fleet.stop()
            raise
        return fleet

    def requests_served(self) -> int:
        """GraphQL requests the subgraphs have served since they started."""
        return requests_served(self.urls.values())

    def supergraph_sdl(self) -> str:
        """The benchmark's supergraph, routed to this fleet's subgraphs."""
        return gateways.rewrite_routing_urls(SUPERGRAPH_PATH.read_text(), self.urls)

    def write_supergraph(self, directory: Path) -> Path:
        """`supergraph_sdl()` as `directory/supergraph.graphql`, for a gateway to load."""
        path = directory / "supergraph.graphql"
        path.write_text(self.supergraph_sdl(), encoding="utf-8")
        return path

    @property
    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes.items()}

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()


def run(settings: Settings) -> int:
    """Run the benchmark; 0 when every gateway was measured with correct answers, no errors."""
    work_directory = Path(tempfile.mkdtemp(prefix="switchboard-bench-"))
    generator = choose(settings.load_generator, work_directory)
    operation = settings.bench_operation
    expected = operation.expected_response()
    response_bytes = len(orjson.dumps(expected))
    machine = machine_notes()
    report.print_header(settings, machine, generator, operation.name, response_bytes)

    runs: list[GatewayRun] = []
    try:
        fleet = SubgraphFleet.start(work_directory, settings)
    except gateways.GatewayUnavailable as error:
        print(f"the Node subgraphs cannot run here: {error}")
        return 1
    try:
        supergraph = fleet.write_supergraph(work_directory)
        for _ in range(settings.rounds):
            for candidate in _gateways(settings, supergraph, work_directory):
                runs.append(
                    _measure_candidate(
                        candidate, settings, fleet, generator, expected, work_directory, supergraph
                    )
                )
    finally:
        fleet.stop()

    report.print_runs(runs)
    results_path = report.write_json(
        settings, machine, generator, operation.name, response_bytes, runs
    )
    print(f"\nresults written to {results_path}")
    succeeded = bool(runs) and all(gateway_run.succeeded for gateway_run in runs)
    if succeeded:
        shutil.rmtree(work_directory, ignore_errors=True)
    else:
        print(f"process logs kept in {work_directory}")
    return 0 if succeeded else 1


@dataclass(frozen=True)
class Candidate:
    """A gateway a round measures: `start(port)` describes its process."""

    name: str
    start: Callable[[int], gateways.Gateway]
    # Started with the bench issuer's configuration instead (`switchboard+jwt`), plus this.
    needs_auth: bool = False
    more_config: str = ""


def _gateways(settings: Settings, supergraph: Path, work_directory: Path) -> list[Candidate]:
    """The gateways of one round, in the order they are measured."""
    workers, work = settings.workers, work_directory
    chosen: list[Candidate] = []
    if not settings.skip_switchboard:
        chosen.append(
            Candidate("switchboard", lambda port: gateways.switchboard(supergraph, port, workers))
        )
        if settings.compare_dedup:
            for name, config in (
                ("switchboard collapse off", gateways.COLLAPSE_OFF_CONFIG),
                ("switchboard dedup off", gateways.DEDUP_OFF_CONFIG),
            ):
                chosen.append(
                    Candidate(
                        name,
                        lambda port, name=name, config=config: gateways.switchboard_configured(
                            supergraph, port, workers, work, name, config
                        ),
                    )
                )
        if settings.auth:
            chosen.append(
                Candidate(
                    "switchboard+jwt",
                    lambda port: gateways.switchboard(supergraph, port, workers),
                    needs_auth=True,
                )
            )
            if settings.compare_dedup:
                # Against `switchboard dedup off`, this measures authorization alone: distinct
                # tokens never share a fetch, so with dedup on they pay for it and gain nothing.
                chosen.append(
                    Candidate(
                        "switchboard+jwt dedup off",
                        lambda port: gateways.switchboard(supergraph, port, workers),
                        needs_auth=True,
                        more_config=gateways.DEDUP_OFF_CONFIG,
                    )
                )
    if settings.compare_apollo:
        chosen.append(
            Candidate(
                "apollo-gateway", lambda port: gateways.apollo_gateway(supergraph, port, work)
            )
        )
    if settings.compare_hive:
        chosen.append(
            Candidate("hive-gateway", lambda port: gateways.hive_gateway(supergraph, port, work))
        )
        chosen.append(
            Candidate(
                "hive-gateway+rust",
                lambda port: gateways.hive_gateway(supergraph, port, work, rust_planner=True),
            )
        )
        if settings.compare_dedup:
            chosen.append(
                Candidate(
                    "hive-gateway+rust dedup off",
                    lambda port: gateways.hive_gateway(
                        supergraph, port, work, rust_planner=True, deduplicate=False
                    ),
                )
            )
    return chosen


def _measure_candidate(
    candidate: Candidate,
    settings: Settings,
    fleet: SubgraphFleet,
    generator: LoadGenerator,
    expected: dict[str, object],
    work_directory: Path,
    supergraph: Path,
) -> GatewayRun:
    if not candidate.needs_auth:
        return _measure(
            candidate.name, candidate.start, settings, fleet, generator, expected, work_directory
        )
    with bench_issuer(work_directory, settings.connections, candidate.more_config) as auth:

        def start(port: int) -> gateways.Gateway:
            return gateways.switchboard(
                supergraph, port, settings.workers, auth.config_path, name=candidate.name
            )

        return _measure(
            candidate.name, start, settings, fleet, generator, expected, work_directory, auth
        )


def _measure(
    name: str,
    make_gateway: Callable[[int], gateways.Gateway],
    settings: Settings,
    fleet: SubgraphFleet,
    generator: LoadGenerator,
    expected: dict[str, object],
    work_directory: Path,
    auth: BenchAuth | None = None,
) -> GatewayRun:
    print(f"\n== {name}", flush=True)
    body = settings.bench_operation.request_body
    headers = auth.headers() if auth is not None else None
    tokens = auth.tokens if auth is not None else ()
    try:
        gateway = make_gateway(free_port())
    except gateways.GatewayUnavailable as error:
        print(f"   unavailable: {error}")
        return GatewayRun(gateway=name, status="unavailable", failure=str(error))
    gateway_run = GatewayRun(gateway=name, version=gateway.version, status="failed")
    process = ManagedProcess.start(
        name, gateway.command, work_directory, cwd=gateway.cwd, environment=gateway.environment
    )
    try:
        print(f"   starting: {' '.join(gateway.command)}", flush=True)
        process.wait_ready(
            answers_post(gateway.url, body, timeout=60, any_status=True, headers=headers),
            settings.ready_timeout,
        )
        before = validate_sample(gateway.url, expected, settings.validation_samples, body, headers)
        print(f"   answers before load: {before.checked - before.wrong}/{before.checked} correct")
        if before.first_problem:
            print(f"   first wrong answer: {before.first_problem}")
        if before.wrong == before.checked:
            # Measuring how fast a gateway fails says nothing; report why instead.
            gateway_run.answers_checked, gateway_run.wrong_answers = before.checked, before.wrong
            gateway_run.first_wrong_answer = before.first_problem
            gateway_run.failure = f"every answer was wrong: {before.first_problem}"
            return gateway_run
        print(f"   warming up {settings.warmup:.0f} s", flush=True)
        generator.run(
            gateway.url,
            body,
            connections=settings.connections,
            duration=settings.warmup,
            tokens=tokens,
        )
        print(
            f"   measuring {settings.duration:.0f} s with {settings.connections} connections",
            flush=True,
        )
        meter = CpuMeter({"gateway": process.pid, **fleet.pids})
        served_before = fleet.requests_served()
        collected_before = collector.collections(gateway.url) if settings.workers == 1 else None
        with PeakRssSampler(process.pid) as sampler:
            meter.start()
            load = generator.run(
                gateway.url,
                body,
                connections=settings.connections,
                duration=settings.duration,
                tokens=tokens,
            )
            cpu_percent = meter.stop()
        gateway_run.subgraph_requests = fleet.requests_served() - served_before
        if collected_before is not None:
            gateway_run.collections = collector.during(
                collected_before, collector.collections(gateway.url)
            )
        cpu_percent["load generator"] = round(
            100.0 * load.generator_cpu_seconds / max(load.duration_seconds, 1e-9), 1
        )
        measured_total = sum(v for k, v in cpu_percent.items() if k != "machine")
        cpu_percent["other processes"] = round(
            max(0.0, cpu_percent.pop("machine") - measured_total), 1
        )
        after = validate_sample(gateway.url, expected, settings.validation_samples, body, headers)
        print(f"   answers after load: {after.checked - after.wrong}/{after.checked} correct")
        gateway_run.status = "measured"
        gateway_run.load = load
        gateway_run.cpu_percent = cpu_percent
        gateway_run.answers_checked = before.checked + after.checked
        gateway_run.wrong_answers = before.wrong + after.wrong
        gateway_run.first_wrong_answer = before.first_problem or after.first_problem
        gateway_run.peak_rss_kib = tree_memory_kib(process.pid, "VmHWM")
        gateway_run.peak_polled_rss_kib = sampler.peak_kib
    except ProcessFailed as error:
        print(f"   failed: {error}")
        gateway_run.failure = str(error)
    finally:
        process.stop()
    return gateway_run
