"""Each composition error code, on a broken subgraph set, names the subgraph and the element."""

from __future__ import annotations

import json

import pytest

from gateway.composition import CompositionFailure
from tests.composition.error_cases import ERROR_CASES, ErrorCase
from tests.composition.harness import FIXTURES, compose_sdls, error_codes

APOLLO_CODES: dict[str, list[str]] = json.loads((FIXTURES / "apollo_errors.json").read_text())


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda case: case.name)
def test_error_code_and_location(case: ErrorCase) -> None:
    result = compose_sdls(case.subgraphs)
    assert case.code in error_codes(result)
    assert isinstance(result, CompositionFailure)
    located = [
        error
        for error in result.errors
        if error.code == case.code
        and set(case.expected_subgraphs) <= set(error.subgraphs)
        and error.coordinate == case.coordinate
    ]
    assert located, [(error.code, error.subgraphs, error.coordinate) for error in result.errors]
    assert all(error.message for error in result.errors)


@pytest.mark.parametrize(
    "case",
    [case for case in ERROR_CASES if case.name != "syntax error"],
    ids=lambda case: case.name,
)
def test_apollo_reports_the_same_code(case: ErrorCase) -> None:
    assert case.code in APOLLO_CODES[case.name]


def test_there_is_a_case_for_every_promised_code() -> None:
    promised = {
        "INVALID_GRAPHQL",
        "FIELD_TYPE_MISMATCH",
        "INVALID_FIELD_SHARING",
        "KEY_FIELDS_SELECT_INVALID_TYPE",
        "KEY_INVALID_FIELDS",
        "REQUIRES_INVALID_FIELDS",
        "PROVIDES_INVALID_FIELDS",
        "EXTERNAL_MISSING_ON_BASE",
        "EXTERNAL_TYPE_MISMATCH",
        "SATISFIABILITY_ERROR",
        "OVERRIDE_SOURCE_HAS_OVERRIDE",
        "OVERRIDE_FROM_SELF_ERROR",
        "ENUM_VALUE_MISMATCH",
        "EMPTY_MERGED_ENUM_TYPE",
        "EMPTY_MERGED_INPUT_TYPE",
        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
        "TYPE_KIND_MISMATCH",
        "INTERFACE_OBJECT_USAGE_ERROR",
        "ROOT_QUERY_USED",
        "INVALID_SUBGRAPH_NAME",
        "DIRECTIVE_DEFINITION_INVALID",
        "UNKNOWN_FEDERATION_LINK_VERSION",
    }
    assert promised <= {case.code for case in ERROR_CASES}


def test_bad_input_never_raises() -> None:
    for sdl in (
        "",
        "}",
        "type Query",
        "extend schema @link(url: 5)",
        "type Query { a: Int } type Query { b: Int }",
    ):
        result = compose_sdls({"a": sdl})
        assert isinstance(result, CompositionFailure) or result.supergraph_sdl


def test_satisfiability_error_names_the_failing_path() -> None:
    case = next(
        case for case in ERROR_CASES if case.name == "entity field behind an unresolvable key"
    )
    result = compose_sdls(case.subgraphs)
    assert isinstance(result, CompositionFailure)
    assert "Query.u -> U.extra" in result.errors[0].message
