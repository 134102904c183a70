"""Fixtures for the marketplace tests: a seeded subgraph and the demo world it was seeded from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from subgraphs.common.principal import Principal
from subgraphs.demo.world import App, World, world
from subgraphs.marketplace.models import listing_id_for
from subgraphs.marketplace.subgraph import SUBGRAPH
from tests.subgraphs.harness import SubgraphHarness

ADMIN = Principal(scopes=frozenset({"platform:admin", "marketplace:write"}))


@pytest.fixture
async def marketplace(make_harness: Callable[..., Awaitable[SubgraphHarness]]) -> SubgraphHarness:
    return await make_harness(SUBGRAPH, seed=True)


@pytest.fixture
def demo() -> World:
    return world()


def app_named(name: str) -> App:
    return next(app for app in world().apps if app.name == name)


def listing_of(name: str) -> str:
    return listing_id_for(app_named(name).id)


def owner_of(name: str) -> Principal:
    return Principal(
        organization_id=app_named(name).organization_id, scopes=frozenset({"marketplace:write"})
    )


def workspace(workspace_id: str) -> Principal:
    return Principal(workspace_id=workspace_id, scopes=frozenset({"marketplace:write"}))
