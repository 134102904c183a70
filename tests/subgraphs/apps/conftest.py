"""Fixtures for the apps subgraph tests: a seeded harness and the world it was seeded from."""

from __future__ import annotations

import pytest

from subgraphs.apps.subgraph import SUBGRAPH
from subgraphs.common.principal import ADMIN_SCOPE, Principal
from subgraphs.demo.world import App, World, world
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.harness import SubgraphHarness


@pytest.fixture
def demo() -> World:
    return world()


@pytest.fixture
async def harness(make_harness: MakeHarness) -> SubgraphHarness:
    return await make_harness(SUBGRAPH, seed=True)


def app_with_status(demo: World, status: str) -> App:
    return next(app for app in demo.apps if app.status == status)


def owner_of(app: App) -> Principal:
    """The organization that owns `app`, calling with the write scope."""
    return Principal(organization_id=app.organization_id, scopes=frozenset({"apps:write"}))


ADMIN = Principal(scopes=frozenset({ADMIN_SCOPE, "apps:write"}))
