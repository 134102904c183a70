"""`python -m bench --scale`: how composition, start-up and planning grow with the supergraph.

For each size (subgraphs x types, `bench/scale_graphs.py`) it measures, each in a fresh
process:

- composition: time and peak RSS (`bench/scale_probe.py compose`; Apollo: `composeServices`);
- start to first answer: from starting `switchboard serve` (Apollo Gateway) until it answers
  `{ __typename }`, and its RSS then;
- cold planning of the deep operations (`deep_operations`): the first plan of each, after the
  supergraph is loaded (Apollo: `QueryPlanner.buildQueryPlan`).

With `--compare-apollo`, both supergraphs are compared byte for byte, and Switchboard serves
and plans its own. Each figure gets a growth exponent: the slope of a least-squares line
through log(figure) against log(supergraph size in bytes).
"""

from __future__ import annotations

import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import gateways
from bench.machine import machine_notes
from bench.processes import ManagedProcess, ProcessFailed, free_port
from bench.procstats import tree_memory_kib
from bench.scale_graphs import deep_operations, generate

DEFAULT_SIZES = ((2, 10), (8, 20), (32, 40), (64, 40))
FIRST_ANSWER_QUERY = b'{"query": "{ __typename }"}'
POLL_SECONDS = 0.01
START_TIMEOUT_SECONDS = 300.0
TOOLS = ("switchboard", "apollo")
PORT_ATTEMPTS = 3


class ScaleFailed(Exception):
    """A measurement could not be taken (a failed composition, a gateway that never answered)."""


class PortTaken(ProcessFailed):
    """The gateway could not listen: the port was taken after it was found free."""


@dataclass(frozen=True)
class ScaleSettings:
    sizes: Sequence[tuple[int, int]] = DEFAULT_SIZES
    compare_apollo: bool = False
    repeat: int = 1
    results_directory: Path | None = None


@dataclass
class Figures:
    """One tool's figures at one size (None: not measured)."""

    compose_seconds: float | None = None
    compose_peak_mib: float | None = None
    first_answer_seconds: float | None = None
    rss_after_load_mib: float | None = None
    plan_seconds: dict[str, float] = field(default_factory=dict)
    plan_fetches: dict[str, int] = field(default_factory=dict)


@dataclass
class SizeResult:
    subgraphs: int
    types: int
    supergraph_bytes: int
    supergraph_types: int
    identical_to_apollo: bool | None
    figures: dict[str, Figures]


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """`2x10,8x20` → [(2, 10), (8, 20)]."""
    sizes = []
    for part in text.split(","):
        subgraphs, _, types = part.strip().partition("x")
        sizes.append((int(subgraphs), int(types)))
    return sizes


def run_scale(settings: ScaleSettings) -> int:
    work = Path(tempfile.mkdtemp(prefix="switchboard-scale-"))
    apollo_folder = None
    try:
        if settings.compare_apollo:
            apollo_folder = gateways.prepare_apollo(work)
        results = [measure_size(size, settings, work, apollo_folder) for size in settings.sizes]
    except (ScaleFailed, ProcessFailed, gateways.GatewayUnavailable) as error:
        print(f"scale benchmark failed: {error}\n(logs kept in {work})", file=sys.stderr)
        return 1
    print(format_report(results))
    if settings.results_directory is not None:
        write_results(results, settings, apollo_folder)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def measure_size(
    size: tuple[int, int], settings: ScaleSettings, work: Path, apollo: Path | None
) -> SizeResult:
    subgraphs, types = size
    folder = work / f"{subgraphs}x{types}"
    folder.mkdir()
    services = folder / "services.json"
    services.write_text(json.dumps([vars(s) for s in generate(subgraphs, types)]))
    operations = folder / "operations.json"
    operations.write_text(json.dumps(deep_operations(subgraphs, types)))
    print(f"{subgraphs}x{types}: composing", file=sys.stderr, flush=True)
    ours = Figures()
    ours_sdl = folder / "switchboard.graphql"
    composed = repeated(settings.repeat, lambda: _probe(["compose", services, ours_sdl]))
    ours.compose_seconds, ours.compose_peak_mib = composed
    figures = {"switchboard": ours}
    identical = None
    if apollo is not None:
        theirs = Figures()
        apollo_sdl = folder / "apollo.graphql"
        composed = repeated(
            settings.repeat, lambda: _node(apollo, ["compose", services, apollo_sdl])
        )
        theirs.compose_seconds, theirs.compose_peak_mib = composed
        identical = apollo_sdl.read_bytes() == ours_sdl.read_bytes()
        figures["apollo"] = theirs
    sdl = ours_sdl.read_text(encoding="utf-8")
    print(f"{subgraphs}x{types}: starting gateways, planning", file=sys.stderr, flush=True)
    for tool, tool_figures in figures.items():
        started = [first_answer(tool, ours_sdl, folder, apollo) for _ in range(settings.repeat)]
        tool_figures.first_answer_seconds = statistics.median(s for s, _ in started)
        tool_figures.rss_after_load_mib = statistics.median(r for _, r in started)
        runs = [
            _probe(["plan", ours_sdl, operations])
            if tool == "switchboard"
            else _node(apollo, ["plan", ours_sdl, operations])
            for _ in range(max(1, settings.repeat))
        ]
        tool_figures.plan_seconds = {
            name: statistics.median(run["seconds"][name] for run in runs)
            for name in runs[0]["seconds"]
        }
        tool_figures.plan_fetches = runs[0]["fetches"]
    return SizeResult(
        subgraphs=subgraphs,
        types=types,
        supergraph_bytes=len(sdl.encode()),
        supergraph_types=sum(
            line.startswith(("type ", "interface ", "union ", "enum ", "input ", "scalar "))
            for line in sdl.splitlines()
        ),
        identical_to_apollo=identical,
        figures=figures,
    )


def repeated(times: int, measure: Callable[[], dict[str, Any]]) -> tuple[float, float]:
    """The median time and peak RSS (MiB) of `times` runs."""
    runs = [measure() for _ in range(max(1, times))]
    return (
        statistics.median(run["seconds"] for run in runs),
        statistics.median(run["peak_rss_kib"] for run in runs) / 1024,
    )


def first_answer(
    tool: str, supergraph: Path, folder: Path, apollo: Path | None
) -> tuple[float, float]:
    """Seconds from starting the gateway until it answers, and its RSS (MiB) then. On a shared
    machine another process may take the free port between the probe and the bind: then the
    gateway is started again on another."""
    for attempt in range(PORT_ATTEMPTS):
        try:
            return _first_answer_on(free_port(), tool, supergraph, folder, apollo)
        except PortTaken:
            if attempt == PORT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _first_answer_on(
    port: int, tool: str, supergraph: Path, folder: Path, apollo: Path | None
) -> tuple[float, float]:
    if tool == "switchboard":
        gateway = gateways.switchboard(supergraph, port, workers=1)
    else:
        assert apollo is not None
        gateway = gateways.apollo_gateway(supergraph, port, apollo.parent)
    started = time.monotonic()
    process = ManagedProcess.start(
        f"{tool}-{port}", gateway.command, folder, cwd=gateway.cwd, environment=gateway.environment
    )
    try:
        deadline = started + START_TIMEOUT_SECONDS
        while not _answers(gateway.url):
            if not process.alive():
                log = process.log_tail()
                if "EADDRINUSE" in log or "address already in use" in log:
                    raise PortTaken(log)
                raise ProcessFailed(f"{tool} exited:\n{log}")
            if time.monotonic() > deadline:
                raise ProcessFailed(f"{tool} did not answer in {START_TIMEOUT_SECONDS:.0f} s")
            time.sleep(POLL_SECONDS)
        seconds = time.monotonic() - started
        return seconds, tree_memory_kib(process.pid, "VmRSS") / 1024
    finally:
        process.stop()


def _answers(url: str) -> bool:
    try:
        response = httpx.post(
            url, content=FIRST_ANSWER_QUERY, headers={"content-type": "application/json"}
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and b'"__typename"' in response.content


def _probe(arguments: Sequence[Path | str]) -> dict[str, Any]:
    return _run_json([sys.executable, "-m", "bench.scale_probe", *arguments])


def _node(folder: Path | None, arguments: Sequence[Path | str]) -> dict[str, Any]:
    assert folder is not None
    return _run_json(["node", "scale.mjs", *arguments], cwd=folder)


def _run_json(command: Sequence[Path | str], cwd: Path | None = None) -> dict[str, Any]:
    repository = Path(__file__).resolve().parent.parent
    completed = subprocess.run(
        [str(part) for part in command],
        cwd=cwd or repository,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise ScaleFailed(f"{command[0]} {command[1]}: {completed.stderr[-2000:]}") from None
    if completed.returncode != 0 or "error" in result:
        raise ScaleFailed(f"{' '.join(map(str, command[:3]))}: {result.get('error')}")
    return result


# report ------------------------------------------------------------------------------------

COLUMNS: tuple[tuple[str, str, Callable[[Figures], float | None]], ...] = (
    ("compose s", "{:.2f}", lambda f: f.compose_seconds),
    ("compose MiB", "{:.0f}", lambda f: f.compose_peak_mib),
    ("1st answer s", "{:.2f}", lambda f: f.first_answer_seconds),
    ("RSS MiB", "{:.0f}", lambda f: f.rss_after_load_mib),
    ("plan ms", "{:.1f}", lambda f: sum(f.plan_seconds.values()) * 1000 or None),
)


def growth_exponent(sizes: Sequence[float], values: Sequence[float | None]) -> float | None:
    """The slope of the least-squares line through (log size, log value)."""
    points = [(math.log(s), math.log(v)) for s, v in zip(sizes, values, strict=True) if v]
    if len(points) < 2:
        return None
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def format_report(results: Sequence[SizeResult]) -> str:
    tools = [tool for tool in TOOLS if any(tool in result.figures for result in results)]
    header = f"  {'size':>7} {'types':>6} {'SDL KiB':>8} {'same':>5} {'tool':<12}"
    header += "".join(f"{title:>14}" for title, _, _ in COLUMNS)
    lines = ["Scale", header]
    for result in results:
        same = {None: "-", True: "yes", False: "NO"}[result.identical_to_apollo]
        for tool in tools:
            figures = result.figures.get(tool)
            if figures is None:
                continue
            size = f"{result.subgraphs}x{result.types}"
            line = f"  {size:>7} {result.supergraph_types:>6} "
            line += f"{result.supergraph_bytes / 1024:>8.0f} {same:>5} {tool:<12}"
            for _, form, read in COLUMNS:
                value = read(figures)
                line += f"{form.format(value) if value is not None else '-':>14}"
            lines.append(line)
    sizes = [float(result.supergraph_bytes) for result in results]
    for tool in tools:
        line = f"  {'growth exponent (log-log against SDL bytes)':<42} {tool:<12}"
        for _, _, read in COLUMNS:
            values = [
                read(result.figures[tool]) if tool in result.figures else None for result in results
            ]
            exponent = growth_exponent(sizes, values)
            line += f"{f'{exponent:.2f}' if exponent is not None else '-':>14}"
        lines.append(line)
    if "apollo" in tools:
        last = results[-1]
        ours, theirs = last.figures["switchboard"], last.figures.get("apollo")
        if theirs is not None:
            lines.append(f"\n  at {last.subgraphs}x{last.types}, switchboard / apollo:")
            for title, _, read in COLUMNS:
                mine, other = read(ours), read(theirs)
                if mine is not None and other:
                    lines.append(f"    {title:<14} {mine / other:.2f}x")
    planned = results[-1].figures["switchboard"]
    lines.append(
        "\n  plan ms is the sum over "
        + ", ".join(f"{name} ({count} fetches)" for name, count in planned.plan_fetches.items())
    )
    return "\n".join(lines)


def write_results(
    results: Sequence[SizeResult], settings: ScaleSettings, apollo: Path | None
) -> Path:
    assert settings.results_directory is not None
    settings.results_directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = settings.results_directory / f"{stamp}-scale.json"
    versions = {"switchboard": gateways.switchboard_version()}
    if apollo is not None:
        versions["apollo"] = gateways.apollo_versions(
            apollo, ("@apollo/composition", "@apollo/gateway", "@apollo/query-planner")
        )
    document = {
        "settings": {"sizes": [list(size) for size in settings.sizes], "repeat": settings.repeat},
        "machine": machine_notes(),
        "versions": versions,
        "results": [asdict(result) for result in results],
    }
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    print(f"\nwrote {path}")
    return path
