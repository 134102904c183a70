"""A field error cancels its siblings' pending resolvers; the others still get their values.

graphql-core cancels the rest of a selection set when one field fails (`categories[0].listings`
with an invalid cursor here). The category listing counts of that list and the root
`category(slug:)`'s count wait on the same batched load; the root field must still answer, and
the response must be GraphQL errors at paths, never a 500.
"""

from __future__ import annotations

from tests.subgraphs.harness import SubgraphHarness

QUERY = """
{
  featuredListings(first: 2) { id }
  categories { listings(first: 1, after: "") { totalCount } listingCount }
  category(slug: "communication") { listingCount }
}
"""


async def test_a_sibling_error_leaves_the_shared_loader_working(
    marketplace: SubgraphHarness,
) -> None:
    for _ in range(2):
        body = await marketplace.execute(QUERY)
        assert [error["path"] for error in body["errors"]] == [["categories", 0, "listings"]]
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        # `categories` is non-null: its failure nulls the whole response.
        assert body["data"] is None


async def test_the_shared_count_is_answered_when_the_failing_list_is_nullable(
    marketplace: SubgraphHarness,
) -> None:
    expected = (await marketplace.data('{ category(slug: "communication") { listingCount } }'))[
        "category"
    ]["listingCount"]
    body = await marketplace.execute(
        '{ category(slug: "communication") { listingCount '
        'listings(first: 1, after: "") { totalCount } } '
        'other: category(slug: "communication") { listingCount } }'
    )
    assert [error["path"] for error in body["errors"]] == [["category", "listings"]]
    assert body["data"]["other"]["listingCount"] == expected > 0
