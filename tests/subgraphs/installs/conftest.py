"""Fixtures for the installs subgraph: a seeded harness and the principals that call it."""

from __future__ import annotations

import pytest

from subgraphs.common.principal import Principal
from subgraphs.demo.world import App, Installation, World, world
from subgraphs.installs.subgraph import SUBGRAPH
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.harness import SubgraphHarness

READ_WRITE = frozenset({"installs:read", "installs:write"})
ADMIN = Principal(scopes=READ_WRITE | {"platform:admin"})


@pytest.fixture
def demo() -> World:
    return world()


@pytest.fixture
async def installs(make_harness: MakeHarness) -> SubgraphHarness:
    return await make_harness(SUBGRAPH, seed=True)


def workspace_principal(workspace_id: str) -> Principal:
    return Principal(workspace_id=workspace_id, scopes=READ_WRITE)


def integration_principal(app_id: str) -> Principal:
    return Principal(app_id=app_id, scopes=READ_WRITE)


def not_installed(demo: World) -> tuple[App, str]:
    """A published app and a workspace that has never installed it."""
    for app in demo.apps:
        if app.status != "PUBLISHED":
            continue
        installed_in = {i.workspace_id for i in demo.installations if i.app_id == app.id}
        for workspace in demo.workspaces:
            if workspace.id not in installed_in:
                return app, workspace.id
    raise AssertionError("every published app is everywhere")


def with_status(demo: World, status: str, app_status: str = "PUBLISHED") -> Installation:
    apps = {app.id: app for app in demo.apps}
    return next(
        i for i in demo.installations if i.status == status and apps[i.app_id].status == app_status
    )
