"""Golden plans: an entity reached through a third subgraph that maps one key to another
(cases in tests/fixtures/planning/key_routes/: pricing knows `sku`, reviews needs `id`,
catalog has both)."""

from __future__ import annotations

import pytest

from tests.planning.harness import cases, check_case

FEATURE = "key_routes"


@pytest.mark.parametrize("case", cases(FEATURE))
def test_plan_matches_golden(case: str) -> None:
    check_case(FEATURE, case)
