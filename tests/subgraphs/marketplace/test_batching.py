"""The N+1 guard: a page of entities with their relations costs a constant number of SQL
statements, and would cost one per entity without the dataloaders' batching."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from subgraphs.demo.world import World
from subgraphs.marketplace.loaders import Loaders
from subgraphs.marketplace.subgraph import SUBGRAPH
from tests.subgraphs.harness import SubgraphHarness

UNBATCHED = dataclasses.replace(
    SUBGRAPH, make_loaders=lambda database, principal: Loaders(database, principal, batch=False)
)
REVIEWS_WITH_LISTINGS = """query($r: [_Any!]!) { _entities(representations: $r) {
    ... on Review { id rating author { id } listing {
        id averageRating reviewCount categories { name } reviews(first: 2) { totalCount }
    } }
} }"""
LISTINGS_WITH_RELATIONS = """{ listings(first: 50) { totalCount nodes {
    id averageRating ratingHistogram { count } categories { slug listingCount }
    app { listing { id } } reviews(first: 3) { nodes { id listing { id } } }
} } }"""


async def statements(harness: SubgraphHarness, query: str, variables: dict[str, Any]) -> int:
    with harness.database.count_statements() as counter:
        await harness.data(query, variables)
    return counter.count


def fifty_reviews(demo: World) -> list[dict[str, str]]:
    # Spread over many listings, so batching is what keeps the count flat.
    reviews = demo.reviews[::6][:50]
    assert len({review.app_id for review in reviews}) > 25
    return [{"__typename": "Review", "id": review.id} for review in reviews]


async def test_fifty_review_entities_cost_constant_statements(
    make_harness: Callable[..., Awaitable[SubgraphHarness]], demo: World
) -> None:
    variables = {"r": fifty_reviews(demo)}
    batched = await make_harness(SUBGRAPH, seed=True)
    # review, listing, rating summary, categories, reviews page (rows + totals).
    assert await statements(batched, REVIEWS_WITH_LISTINGS, variables) == 6
    unbatched = await make_harness(UNBATCHED, seed=True)
    assert await statements(unbatched, REVIEWS_WITH_LISTINGS, variables) >= 50


async def test_a_page_of_listings_costs_constant_statements(
    make_harness: Callable[..., Awaitable[SubgraphHarness]],
) -> None:
    batched = await make_harness(SUBGRAPH, seed=True)
    # listings (count + page), rating summary, categories, category counts, listing by app,
    # reviews page (rows + totals); the reviews' listings are already loaded.
    assert await statements(batched, LISTINGS_WITH_RELATIONS, {}) == 8
    unbatched = await make_harness(UNBATCHED, seed=True)
    assert await statements(unbatched, LISTINGS_WITH_RELATIONS, {}) >= 38 * 4
