"""The N+1 test: a page of apps with their owners and the owners' apps costs constant SQL."""

from __future__ import annotations

import dataclasses

from subgraphs.apps.loaders import Loaders
from subgraphs.apps.subgraph import SUBGRAPH
from tests.subgraphs.conftest import MakeHarness

QUERY = """{ apps(first: 50) { nodes {
    id
    organization { id name apps(first: 3) { totalCount nodes { slug } } }
} } }"""

# apps: count + page; organizations: one; organizations' apps: rows + counts.
BATCHED_STATEMENTS = 5


async def test_a_page_of_apps_with_relations_costs_constant_statements(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness(SUBGRAPH, seed=True)
    with harness.database.count_statements() as counter:
        data = await harness.data(QUERY)
    nodes = data["apps"]["nodes"]
    assert len(nodes) == 48
    assert all(len(node["organization"]["apps"]["nodes"]) == 3 for node in nodes)
    assert counter.count == BATCHED_STATEMENTS, counter.statements


async def test_the_same_page_unbatched_costs_a_statement_per_app(
    make_harness: MakeHarness,
) -> None:
    unbatched = dataclasses.replace(
        SUBGRAPH, make_loaders=lambda database, principal: Loaders(database, principal, batch=False)
    )
    harness = await make_harness(unbatched, seed=True)
    with harness.database.count_statements() as counter:
        await harness.data(QUERY)
    assert counter.count >= 50
