"""Golden plans: every case under tests/fixtures/planning/<feature>/ planned and compared.

A feature's supergraph is `tests/fixtures/supergraphs/<feature>/` (or the one `SUPERGRAPH_OF`
names); tests that look inside a plan rather than at its text live in the feature's own module.
"""

from __future__ import annotations

import pytest

from tests.planning.harness import PLANS, SUPERGRAPH_OF, SUPERGRAPHS, cases, check_case

FEATURES = sorted(path.name for path in PLANS.iterdir() if path.is_dir())

CASES = [
    pytest.param(feature, case, id=f"{feature}/{case}")
    for feature in FEATURES
    for case in cases(feature)
]


def test_every_feature_folder_has_cases_with_plans() -> None:
    # A folder whose cases vanished (renamed extension, moved files) would otherwise shrink the
    # parametrisation silently.
    with_supergraph = {path.name for path in SUPERGRAPHS.iterdir() if path.is_dir()}
    assert set(FEATURES) == with_supergraph | set(SUPERGRAPH_OF)
    for feature in FEATURES:
        queries = {path.stem for path in (PLANS / feature).glob("*.graphql")}
        plans = {path.stem for path in (PLANS / feature).glob("*.plan")}
        plans -= {stem for stem in plans if stem.endswith(".apollo")}
        assert queries, feature
        assert queries == plans, feature


@pytest.mark.parametrize(("feature", "case"), CASES)
def test_plan_matches_golden(feature: str, case: str) -> None:
    check_case(feature, case)
