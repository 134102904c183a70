"""The files recorded from Apollo's own tools, with what each was recorded from.

A recording is a checked-in output (a composed supergraph, a query plan, a response) and the
inputs Apollo made it from. `tests/fixtures/apollo-manifest.json` keeps, for each, the Apollo
package that made it and hashes of its inputs and of itself: `tests/test_provenance.py` checks
them on every run (an edited recording, or an input changed without recording again, fails), and
`make verify-fixtures` (scripts/verify_fixtures.py) asks Apollo again and compares.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conformance.harness import all_scenarios, routing_url
from tests.planning.harness import PLANS, SUPERGRAPH_OF, SUPERGRAPHS, case_labels

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
MANIFEST = FIXTURES / "apollo-manifest.json"
APOLLO = ROOT / "scripts" / "apollo"
COMPOSITION_CASES = FIXTURES / "composition"
# Recorded with Federation 1's composer, outside scripts/apollo (see its compose.py): listed in
# the manifest with their hashes, but not recorded again by verify-fixtures.
FED1 = SUPERGRAPHS / "fed1"


@dataclass(frozen=True)
class Recording:
    output: Path
    inputs: tuple[Path, ...]
    tool: str  # the Apollo package that made it
    job: dict[str, Any] | None = field(default=None, compare=False)  # for scripts/apollo/record.mjs
    # What the recording script added after Apollo's output (a final newline, for some).
    appended: str = ""

    @property
    def name(self) -> str:
        return self.output.relative_to(ROOT).as_posix()

    def inputs_hash(self) -> str:
        digest = hashlib.sha256()
        for path in self.inputs:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        return digest.hexdigest()

    def output_hash(self) -> str:
        return hashlib.sha256(self.output.read_bytes()).hexdigest()


def apollo_versions() -> dict[str, str]:
    """The pinned Apollo packages (scripts/apollo/package.json)."""
    package = json.loads((APOLLO / "package.json").read_text())
    return dict(package["dependencies"])


def _tool(package: str) -> str:
    return f"{package}@{apollo_versions()[package]}"


def _compose(output: Path, subgraphs: list[tuple[str, str, Path]], appended: str = "") -> Recording:
    """`subgraphs`: (name, routing URL, SDL file)."""
    return Recording(
        appended=appended,
        output=output,
        inputs=tuple(path for _, _, path in subgraphs),
        tool=_tool("@apollo/composition"),
        job={
            "compose": [
                {"name": name, "url": url, "sdl": path.read_text()} for name, url, path in subgraphs
            ]
        },
    )


def _subgraph_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.glob("*.graphql")
        if path.name not in {"supergraph.graphql", "supergraph_fed2.graphql"}
    )


def composed_fixtures() -> Iterator[Recording]:
    for folder in sorted(COMPOSITION_CASES.iterdir()):
        if folder.is_dir():
            files = _subgraph_files(folder)
            yield _compose(
                folder / "supergraph.graphql",
                [(path.stem, f"http://{path.stem}/graphql", path) for path in files],
            )
    for folder in sorted(SUPERGRAPHS.iterdir()):
        if folder.is_dir() and folder != FED1:
            files = _subgraph_files(folder)
            yield _compose(
                folder / "supergraph.graphql",
                [(path.stem, f"http://{path.stem}/graphql", path) for path in files],
                appended="\n",  # tests/fixtures/supergraphs/compose.py ends the file so
            )
    for scenario in all_scenarios():
        folder = scenario.directory
        yield _compose(
            folder / "supergraph.graphql",
            [
                (name, routing_url(name, scenario.name), folder / f"{name}.graphql")
                for name in scenario.subgraph_names
            ],
        )


def recorded_plans() -> Iterator[Recording]:
    """Apollo's plan for each golden case: the golden `<case>.plan` itself where ours is
    Apollo's, else `<case>.apollo.plan` beside our reviewed golden."""
    for feature in sorted(path for path in PLANS.iterdir() if path.is_dir()):
        supergraph = SUPERGRAPHS / SUPERGRAPH_OF.get(feature.name, feature.name)
        supergraph_file = supergraph / "supergraph.graphql"
        for query in sorted(feature.glob("*.graphql")):
            apollo_plan = query.with_suffix(".apollo.plan")
            output = apollo_plan if apollo_plan.exists() else query.with_suffix(".plan")
            labels_file = query.with_suffix(".labels")
            inputs = (supergraph_file, query, *([labels_file] if labels_file.exists() else []))
            yield Recording(
                output=output,
                inputs=inputs,
                tool=_tool("@apollo/query-planner"),
                appended="\n",  # tests/fixtures/planning/regenerate.py ends the file so
                job={
                    "plan": {
                        "supergraph": supergraph_file.read_text(),
                        "query": query.read_text(),
                        "labels": case_labels(feature.name, query.stem),
                    }
                },
            )


def fed1_recordings() -> Iterator[Recording]:
    files = _subgraph_files(FED1)
    for output in ("supergraph.graphql", "extracted.json"):
        yield Recording(FED1 / output, tuple(files), "@apollo/federation@0.38.1")
    yield Recording(FED1 / "supergraph_fed2.graphql", tuple(files), _tool("@apollo/composition"))


def conformance_responses() -> Iterator[Recording]:
    """Apollo Gateway's answers (scripts/apollo/record_expected.py); hand-written expected
    responses are not recordings (their case.json says `"expected_source": "hand"`), but
    Apollo's answer beside them (`apollo-gateway.json`) is."""
    for scenario in all_scenarios():
        sources = [
            scenario.directory / "supergraph.graphql",
            *(scenario.directory / f"{name}.py" for name in scenario.subgraph_names),
        ]
        for case in scenario.cases():
            case_folder = case.directory
            inputs = (
                *sources,
                *sorted(case_folder.glob("*.graphql")),
                *sorted(case_folder.glob("case.json")),
            )
            output = (
                case_folder / "apollo-gateway.json"
                if case.settings.get("expected_source") == "hand"
                else case_folder / "expected.json"
            )
            if output.exists():
                yield Recording(output, inputs, _tool("@apollo/gateway"))


def all_recordings() -> list[Recording]:
    return [
        *composed_fixtures(),
        *recorded_plans(),
        *fed1_recordings(),
        *conformance_responses(),
    ]


def manifest_entries(recordings: list[Recording]) -> dict[str, Any]:
    return {
        "apollo": apollo_versions(),
        "files": {
            recording.name: {
                "recorded_with": recording.tool,
                "inputs_sha256": recording.inputs_hash(),
                "sha256": recording.output_hash(),
            }
            for recording in recordings
        },
    }
