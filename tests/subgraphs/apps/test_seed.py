"""Seeding: the world's organizations and apps, once."""

from __future__ import annotations

from collections import Counter

from subgraphs.apps.seed import seed
from subgraphs.demo.world import World
from tests.subgraphs.harness import SubgraphHarness


async def test_seed_loads_the_world_once(harness: SubgraphHarness, demo: World) -> None:
    await seed(harness.database)
    data = await harness.data(
        "{ apps(first: 100) { totalCount nodes { status } } organizations { totalCount } }"
    )
    assert data["apps"]["totalCount"] == len(demo.apps) == 48
    assert data["organizations"]["totalCount"] == len(demo.organizations)
    assert Counter(node["status"] for node in data["apps"]["nodes"]) == Counter(
        app.status for app in demo.apps
    )
