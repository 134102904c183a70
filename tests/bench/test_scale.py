"""The scale benchmark's generator and harness (`bench/scale_graphs.py`, `bench/scale.py`).

No timing is asserted: the generated graphs must compose and be planned, and a tiny run of
`python -m bench --scale` must measure every figure it reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.scale import growth_exponent, parse_sizes
from bench.scale_graphs import deep_operations, generate
from gateway.composition import CompositionSuccess, compose
from gateway.composition.errors import SubgraphDefinition
from gateway.operation import prepare
from gateway.planning import plan, print_plan
from gateway.supergraph import Supergraph

REPOSITORY = Path(__file__).resolve().parents[2]


def composed(subgraphs: int, types: int) -> str:
    result = compose([SubgraphDefinition(s.name, s.url, s.sdl) for s in generate(subgraphs, types)])
    assert isinstance(result, CompositionSuccess), getattr(result, "errors", None)
    return result.supergraph_sdl


def test_generated_graphs_are_deterministic_and_carry_the_directive_mix() -> None:
    first, second = generate(5, 6), generate(5, 6)
    assert first == second
    assert [subgraph.name for subgraph in first] == [f"sub{number}" for number in range(5)]
    everything = "\n".join(subgraph.sdl for subgraph in first)
    for needle in ("@key(", "@shareable", "@external", "@requires(", "@provides(", "interface ",
                   "union ", "implements "):  # fmt: skip
        assert needle in everything
    # Every entity is held by 2 to 4 subgraphs.
    holders: dict[str, int] = {}
    for subgraph in first:
        for line in subgraph.sdl.splitlines():
            if line.startswith("type E"):
                name = line.split()[1]
                holders[name] = holders.get(name, 0) + 1
    assert set(holders.values()) == {2, 3, 4}


def test_deep_operations_plan_across_subgraphs() -> None:
    supergraph = Supergraph.from_sdl(composed(4, 6))
    for name, text in deep_operations(4, 6).items():
        printed = print_plan(plan(supergraph, prepare(text, name, supergraph.api_schema)))
        assert printed.count("Fetch(service:") >= 3, printed


def test_sizes_and_growth_exponents() -> None:
    assert parse_sizes("2x10, 64x40") == [(2, 10), (64, 40)]
    exponent = growth_exponent([1.0, 2.0, 4.0, 8.0], [3.0, 12.0, 48.0, 192.0])
    assert exponent == pytest.approx(2.0)
    assert growth_exponent([1.0, 2.0], [None, 5.0]) is None


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_a_tiny_scale_run_measures_every_figure(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "--sizes", "2x2,3x2",
         "--results-dir", str(tmp_path)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=280, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    assert "growth exponent" in completed.stdout
    (path,) = tmp_path.glob("*-scale.json")
    results = json.loads(path.read_text())["results"]
    assert [(r["subgraphs"], r["types"]) for r in results] == [(2, 2), (3, 2)]
    for result in results:
        figures = result["figures"]["switchboard"]
        assert figures["compose_seconds"] > 0
        assert figures["first_answer_seconds"] > 0
        assert figures["rss_after_load_mib"] > 0
        assert set(figures["plan_seconds"]) == {"DeepChain", "SearchUnion"}
