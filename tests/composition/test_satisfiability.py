"""Satisfiability agrees with Apollo's: the same subgraph sets compose, and the rejected ones
fail on the same paths, from the same subgraphs (recorded in `apollo_satisfiability.json`)."""

from __future__ import annotations

import json
import re

import pytest

from gateway.composition import CompositionFailure, CompositionSuccess
from tests.composition.harness import FIXTURES, compose_sdls
from tests.composition.satisfiability_cases import SATISFIABILITY_CASES, SatisfiabilityCase

RECORDED: dict[str, dict[str, object]] = json.loads(
    (FIXTURES / "apollo_satisfiability.json").read_text()
)
PATH = re.compile(r"^The supergraph path (.+?) cannot be satisfied")

Outcome = tuple[str, str | None, tuple[str, ...]]


def our_errors(case: SatisfiabilityCase) -> list[Outcome]:
    result = compose_sdls(case.subgraphs)
    if isinstance(result, CompositionSuccess):
        return []
    outcomes: list[Outcome] = []
    for error in result.errors:
        if error.code != "SATISFIABILITY_ERROR":
            outcomes.append((error.code, None, ()))
            continue
        match = PATH.match(error.message)
        assert match, error.message
        path = match.group(1)
        # The coordinate is the failing step: `T.x` for a field, the type for a downcast.
        assert error.coordinate == path.split(" -> ")[-1].removeprefix("... on ")
        outcomes.append((error.code, path, tuple(sorted(error.subgraphs))))
    return sorted(outcomes, key=lambda outcome: (outcome[0], outcome[1] or "", outcome[2]))


def apollo_errors(case: SatisfiabilityCase) -> list[Outcome]:
    errors = RECORDED[case.name]["errors"]
    assert isinstance(errors, list)
    outcomes = [(error["code"], error["path"], tuple(error["subgraphs"])) for error in errors]
    return sorted(outcomes, key=lambda outcome: (outcome[0], outcome[1] or "", outcome[2]))


@pytest.mark.parametrize("case", SATISFIABILITY_CASES, ids=lambda case: case.name)
def test_composes_exactly_when_apollo_does(case: SatisfiabilityCase) -> None:
    assert RECORDED[case.name]["accepted"] is case.accepted
    result = compose_sdls(case.subgraphs)
    assert isinstance(result, CompositionSuccess) is case.accepted, getattr(result, "errors", None)


@pytest.mark.parametrize(
    "case",
    [case for case in SATISFIABILITY_CASES if not case.accepted],
    ids=lambda case: case.name,
)
def test_rejects_on_apollos_paths_and_subgraphs(case: SatisfiabilityCase) -> None:
    assert our_errors(case) == apollo_errors(case)
    assert {outcome[0] for outcome in our_errors(case)} == {"SATISFIABILITY_ERROR"}


def test_cases_are_balanced() -> None:
    accepted = [case for case in SATISFIABILITY_CASES if case.accepted]
    rejected = [case for case in SATISFIABILITY_CASES if not case.accepted]
    assert len(accepted) >= 6
    assert len(rejected) >= 6
    assert len({case.name for case in SATISFIABILITY_CASES}) == len(SATISFIABILITY_CASES)


def test_error_message_names_path_and_subgraphs() -> None:
    case = next(c for c in SATISFIABILITY_CASES if c.name.startswith("requires a field behind"))
    result = compose_sdls(case.subgraphs)
    assert isinstance(result, CompositionFailure)
    messages = [error.message for error in result.errors]
    assert any(
        "Query.t -> T.f" in message and 'subgraphs "a" and "b"' in message for message in messages
    )
