"""Metrics fixtures: a subgraph seeded with a slice of the demo world, not the whole month."""

from __future__ import annotations

from datetime import timedelta

import pytest

from subgraphs.common.principal import Principal
from subgraphs.demo.world import DEMO_NOW, Installation
from subgraphs.metrics.seed import active_installations, seed_usage
from subgraphs.metrics.subgraph import SUBGRAPH
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.harness import SubgraphHarness

SLICE_DAYS = 2
ADMIN = Principal(scopes=frozenset({"platform:admin", "metrics:read"}))
INGEST = Principal(scopes=frozenset({"metrics:ingest"}))
SLICE_START = DEMO_NOW - timedelta(days=SLICE_DAYS)


def integration(app_id: str) -> Principal:
    return Principal(app_id=app_id, scopes=frozenset({"metrics:read"}))


def slice_installations() -> list[Installation]:
    """Sixty active installations: enough apps with several installations each."""
    return active_installations()[:60]


@pytest.fixture
async def seeded(make_harness: MakeHarness) -> SubgraphHarness:
    harness = await make_harness(SUBGRAPH)
    await seed_usage(harness.database, slice_installations(), days=SLICE_DAYS)
    return harness


@pytest.fixture
async def empty(make_harness: MakeHarness) -> SubgraphHarness:
    return await make_harness(SUBGRAPH)
