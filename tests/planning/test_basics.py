"""Golden plans: basics (cases in tests/fixtures/planning/basics/)."""

from __future__ import annotations

import pytest

from tests.planning.harness import cases, check_case

FEATURE = "basics"
KNOWN_GAPS: dict[str, str] = {}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[case]))
        if case in KNOWN_GAPS
        else case
        for case in cases(FEATURE)
    ],
)
def test_plan_matches_golden(case: str) -> None:
    check_case(FEATURE, case)
