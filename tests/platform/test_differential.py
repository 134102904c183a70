"""Generated operations answered through the gateway equal the owning subgraphs' own answers.

A few hundred operations drawn from the API schema with arguments from the seeded data
(`tests/platform/differential.py`), each sent to the gateway and answered by the oracle from
the subgraphs asked directly. The seed is fixed, so a failure names an operation that can be
replayed; `DIFFERENTIAL_SEED` and `DIFFERENTIAL_OPERATIONS` explore further.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from gateway.dev import SUPERGRAPH
from gateway.supergraph import Supergraph
from subgraphs.common.principal import ADMIN_SCOPE, Principal
from subgraphs.demo.world import world
from subgraphs.marketplace.models import listing_id_for
from tests.platform.conftest import Platform
from tests.platform.differential import OperationGenerator, Oracle, Pools, render

pytestmark = pytest.mark.asyncio(loop_scope="package")

SEED = int(os.environ.get("DIFFERENTIAL_SEED", "17"))
OPERATIONS = int(os.environ.get("DIFFERENTIAL_OPERATIONS", "100"))
READER = Principal(
    scopes=frozenset(
        {
            ADMIN_SCOPE,
            "apps:read",
            "apps:write",
            "installs:read",
            "metrics:read",
            "marketplace:write",
        }
    )
)


async def pools(platform: Platform) -> Pools:
    demo = world()
    categories = await platform.ask_subgraph("marketplace", "{ categories { slug } }", {})
    return Pools(
        ids={
            "App": [app.id for app in demo.apps],
            "Organization": [organization.id for organization in demo.organizations],
            "Workspace": [workspace.id for workspace in demo.workspaces],
            "Installation": [installation.id for installation in demo.installations],
            "Listing": [listing_id_for(app.id) for app in demo.apps],
            "Review": [review.id for review in demo.reviews],
        },
        slugs={
            "App": [app.slug for app in demo.apps],
            "Workspace": [workspace.slug for workspace in demo.workspaces],
            "Category": [category["slug"] for category in categories["categories"]],
        },
    )


async def test_generated_operations_match_the_subgraphs(platform: Platform) -> None:
    supergraph = Supergraph.from_sdl(SUPERGRAPH.read_text())
    # A different seed per backend: the two runs together cover twice the operations.
    seed = SEED + (platform.backend == "postgres")
    generator = OperationGenerator(supergraph, await pools(platform), seed)

    async def ask(service: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return await platform.ask_subgraph_body(service, query, variables, READER)

    oracle = Oracle(supergraph, ask)
    mismatches: list[tuple[str, Any, Any]] = []
    for _ in range(OPERATIONS):
        selections = generator.operation()
        query = "{ " + render(selections) + " }"
        body = await platform.query(query, READER)
        expected = await oracle.answer(selections)
        if body != {"data": expected}:
            mismatches.append((query, body, expected))
    assert not mismatches, (
        f"{len(mismatches)} of {OPERATIONS} operations differ (seed {seed}); first: {mismatches[0]}"
    )
