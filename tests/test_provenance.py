"""Recorded fixtures are what Apollo recorded, from the inputs they claim (no node needed here:
`make verify-fixtures` asks Apollo again). See tests/provenance.py."""

from __future__ import annotations

import json

import pytest

from tests.conformance.harness import all_scenarios
from tests.provenance import (
    COMPOSITION_CASES,
    MANIFEST,
    ROOT,
    Recording,
    all_recordings,
    apollo_versions,
)

RECORDINGS = all_recordings()
STORED = json.loads(MANIFEST.read_text())


def test_the_manifest_names_the_pinned_apollo_packages_and_every_recording() -> None:
    assert STORED["apollo"] == apollo_versions()
    assert sorted(STORED["files"]) == sorted(recording.name for recording in RECORDINGS)


@pytest.mark.parametrize("recording", RECORDINGS, ids=lambda recording: recording.name)
def test_a_recording_is_unchanged_since_apollo_made_it_from_its_inputs(
    recording: Recording,
) -> None:
    entry = STORED["files"][recording.name]
    assert entry["recorded_with"] == recording.tool
    assert entry["sha256"] == recording.output_hash(), (
        "edited by hand? record it again with Apollo (make verify-fixtures)"
    )
    assert entry["inputs_sha256"] == recording.inputs_hash(), (
        "its inputs changed: record it again with Apollo (scripts/verify_fixtures.py --write)"
    )


@pytest.mark.parametrize("name", ["apps", "installs", "marketplace", "metrics"])
def test_the_platform_composition_case_is_the_platforms_schema(name: str) -> None:
    fixture = COMPOSITION_CASES / "platform" / f"{name}.graphql"
    assert fixture.read_text() == (ROOT / "schema" / "subgraphs" / f"{name}.graphql").read_text()


HAND_WRITTEN = [
    case
    for scenario in all_scenarios()
    for case in scenario.cases()
    if case.settings.get("expected_source") == "hand"
]


@pytest.mark.parametrize("case", HAND_WRITTEN, ids=lambda case: case.id)
def test_hand_written_data_is_apollos_where_apollo_answered(case: object) -> None:
    """A hand-written expected response may word its errors differently, but its `data` is
    Apollo Gateway's (none where Apollo refused the request) unless the case says why not
    (`data_differs_from_apollo`)."""
    apollo = json.loads((case.directory / "apollo-gateway.json").read_text())  # type: ignore[attr-defined]
    expected = case.expected  # type: ignore[attr-defined]
    reason = case.settings.get("data_differs_from_apollo")  # type: ignore[attr-defined]
    if reason:
        assert expected.get("data") != apollo.get("data"), "it no longer differs: drop the reason"
    else:
        assert expected.get("data") == apollo.get("data")
