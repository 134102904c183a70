"""The N+1 guard: a page of fifty entities with their relations costs a constant statement count."""

from __future__ import annotations

import dataclasses

import pytest

from subgraphs.demo.world import World
from subgraphs.installs.loaders import Loaders
from subgraphs.installs.subgraph import SUBGRAPH
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.installs.conftest import ADMIN

UNBATCHED = dataclasses.replace(
    SUBGRAPH, make_loaders=lambda database, principal: Loaders(database, principal, batch=False)
)

INSTALLATIONS_WITH_RELATIONS = """
{
  installations(first: 50) {
    nodes { id workspace { name installations(first: 3) { totalCount } } app { id } }
  }
}
"""

APPS_WITH_RELATIONS = """
query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on App { id installCount installations(first: 2) { totalCount } }
  }
}
"""


def fifty_apps(demo: World) -> list[dict[str, str]]:
    """The world's 48 apps and two the installs subgraph has never heard of."""
    ids = [app.id for app in demo.apps] + ["app_unknown00001", "app_unknown00002"]
    return [{"__typename": "App", "id": id} for id in ids]


@pytest.mark.parametrize(
    ("batched", "expected"),
    [
        # The page (count, rows); all workspaces; all their installation pages (rows, totals).
        (True, 5),
        # The page; then, for each of the 24 distinct workspaces, itself and its page (2).
        (False, 2 + 24 * 3),
    ],
)
async def test_installations_with_their_workspaces(
    make_harness: MakeHarness, batched: bool, expected: int
) -> None:
    harness = await make_harness(SUBGRAPH if batched else UNBATCHED, seed=True)
    with harness.database.count_statements() as counter:
        data = await harness.data(INSTALLATIONS_WITH_RELATIONS, principal=ADMIN)
    nodes = data["installations"]["nodes"]
    assert len(nodes) == 50
    assert len({node["workspace"]["name"] for node in nodes}) == 24
    assert all(node["workspace"]["installations"]["totalCount"] >= 8 for node in nodes)
    assert counter.count == expected


@pytest.mark.parametrize(
    ("batched", "expected"),
    [
        # No statement for the references themselves; one for all counts; two for all pages.
        (True, 3),
        # Per app, one count and two statements for its page of installations.
        (False, 50 * 3),
    ],
)
async def test_fifty_apps_with_counts_and_installations(
    make_harness: MakeHarness, demo: World, batched: bool, expected: int
) -> None:
    harness = await make_harness(SUBGRAPH if batched else UNBATCHED, seed=True)
    with harness.database.count_statements() as counter:
        data = await harness.data(APPS_WITH_RELATIONS, {"r": fifty_apps(demo)}, principal=ADMIN)
    assert len(data["_entities"]) == 50
    assert data["_entities"][-1] == {
        "id": "app_unknown00002",
        "installCount": 0,
        "installations": {"totalCount": 0},
    }
    assert counter.count == expected
