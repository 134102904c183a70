"""The N+1 test: fifty installations' usage costs a constant number of statements."""

from __future__ import annotations

import dataclasses

from subgraphs.metrics.loaders import Loaders
from subgraphs.metrics.seed import seed_usage
from subgraphs.metrics.subgraph import SUBGRAPH
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.metrics.conftest import ADMIN, SLICE_DAYS, slice_installations

QUERY = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Installation {
  id usageSummary { requests p95Ms } topOperations(limit: 3) { name requests } } } }"""
# The newest data (for the default range), usage rollups, operation rollups.
BATCHED_STATEMENTS = 3


async def test_fifty_installations_cost_three_statements(make_harness: MakeHarness) -> None:
    installations = slice_installations()[:50]
    representations = [{"__typename": "Installation", "id": i.id} for i in installations]
    unbatched_subgraph = dataclasses.replace(
        SUBGRAPH, make_loaders=lambda d, p: Loaders(d, p, batch=False)
    )
    batched = await make_harness(SUBGRAPH)
    unbatched = await make_harness(unbatched_subgraph)
    counts = []
    for harness in (batched, unbatched):
        await seed_usage(harness.database, installations, days=SLICE_DAYS)
        with harness.database.count_statements() as counter:
            data = await harness.data(QUERY, {"r": representations}, principal=ADMIN)
        entities = data["_entities"]
        assert [entity["id"] for entity in entities] == [i.id for i in installations]
        assert all(entity["usageSummary"]["requests"] > 0 for entity in entities)
        assert all(len(entity["topOperations"]) == 3 for entity in entities)
        counts.append((counter.count, entities))

    (batched_count, batched_entities), (unbatched_count, unbatched_entities) = counts
    assert batched_entities == unbatched_entities
    assert batched_count == BATCHED_STATEMENTS
    assert unbatched_count >= 50
