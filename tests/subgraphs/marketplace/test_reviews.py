"""Writing and deleting reviews, and the `review.created` event."""

from __future__ import annotations

from subgraphs.common.events import EventType
from subgraphs.common.principal import Principal
from subgraphs.demo.world import World
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.marketplace.conftest import ADMIN, app_named, listing_of, workspace

CREATE = """mutation($input: CreateReviewInput!) { createReview(input: $input) {
    id rating body author { id } listing { id reviewCount averageRating } } }"""
DELETE = "mutation($id: ID!) { deleteReview(id: $id) { id rating } }"


def unreviewed_workspace(demo: World, app_name: str) -> str:
    """A workspace of the world that has not reviewed the app yet."""
    app = app_named(app_name)
    reviewers = {review.workspace_id for review in demo.reviews if review.app_id == app.id}
    return next(ws.id for ws in demo.workspaces if ws.id not in reviewers)


async def test_a_workspace_reviews_a_listing(marketplace: SubgraphHarness, demo: World) -> None:
    author = unreviewed_workspace(demo, "Funnel Scope")  # 5 reviews averaging 4.8
    data = await marketplace.data(
        CREATE,
        {"input": {"listingId": listing_of("Funnel Scope"), "rating": 2, "body": " Too noisy. "}},
        principal=workspace(author),
    )
    review = data["createReview"]
    assert review["rating"] == 2
    assert review["body"] == "Too noisy."
    assert review["author"] == {"id": author}
    assert review["listing"] == {
        "id": listing_of("Funnel Scope"),
        "reviewCount": 6,
        "averageRating": round((4.8 * 5 + 2) / 6, 2),
    }
    assert review["id"].startswith("rev_")
    [event] = marketplace.bus.published
    assert event.type is EventType.REVIEW_CREATED
    assert (event.app_id, event.workspace_id) == (app_named("Funnel Scope").id, author)
    assert event.payload["rating"] == 2
    assert event.payload["review_id"] == review["id"]
    # The new review leads the workspace's reviews (newest first).
    mine = await marketplace.data(
        """query($r: [_Any!]!) { _entities(representations: $r) {
            ... on Workspace { reviews(first: 1) { nodes { id } } } } }""",
        {"r": [{"__typename": "Workspace", "id": author}]},
    )
    assert mine["_entities"][0]["reviews"]["nodes"] == [{"id": review["id"]}]


async def test_review_errors(marketplace: SubgraphHarness, demo: World) -> None:
    listing_id = listing_of("Funnel Scope")
    author = unreviewed_workspace(demo, "Funnel Scope")
    already = next(r for r in demo.reviews if r.app_id == app_named("Funnel Scope").id)
    cases = [
        (Principal(scopes=frozenset({"marketplace:write"})), {"rating": 5}, "FORBIDDEN"),
        (workspace(author), {"rating": 0}, "BAD_USER_INPUT"),
        (workspace(author), {"rating": 6}, "BAD_USER_INPUT"),
        (workspace(author), {"rating": 5, "body": "x" * 2001}, "BAD_USER_INPUT"),
        (workspace(author), {"rating": 5, "listingId": "lst_missing"}, "NOT_FOUND"),
        (workspace(already.workspace_id), {"rating": 5}, "CONFLICT"),
        # Standup Bot is suspended: its listing is hidden and closed to new reviews.
        (
            workspace(author),
            {"rating": 5, "listingId": listing_of("Standup Bot")},
            "INVALID_STATE_TRANSITION",
        ),
    ]
    for principal, fields, code in cases:
        errors = await marketplace.errors(
            CREATE, {"input": {"listingId": listing_id, **fields}}, principal=principal
        )
        assert errors[0]["extensions"]["code"] == code, (fields, errors)
    assert marketplace.bus.published == []


async def test_an_app_cannot_review_itself(marketplace: SubgraphHarness, demo: World) -> None:
    app = app_named("Funnel Scope")
    integration = Principal(
        app_id=app.id,
        workspace_id=unreviewed_workspace(demo, "Funnel Scope"),
        scopes=frozenset({"marketplace:write"}),
    )
    errors = await marketplace.errors(
        CREATE,
        {"input": {"listingId": listing_of("Funnel Scope"), "rating": 5}},
        principal=integration,
    )
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_authors_and_admins_delete_reviews(marketplace: SubgraphHarness, demo: World) -> None:
    first, second = [r for r in demo.reviews if r.app_id == app_named("Kudos Wall").id][:2]
    errors = await marketplace.errors(
        DELETE, {"id": first.id}, principal=workspace(second.workspace_id)
    )
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"

    by_author = await marketplace.data(
        DELETE, {"id": first.id}, principal=workspace(first.workspace_id)
    )
    assert by_author["deleteReview"] == {"id": first.id, "rating": first.rating}
    by_admin = await marketplace.data(DELETE, {"id": second.id}, principal=ADMIN)
    assert by_admin["deleteReview"]["id"] == second.id

    data = await marketplace.data(
        """query($id: ID!, $review: ID!) {
            listing(id: $id) { reviewCount } review(id: $review) { id } }""",
        {"id": listing_of("Kudos Wall"), "review": first.id},
    )
    assert data == {"listing": {"reviewCount": 11}, "review": None}
    errors = await marketplace.errors(DELETE, {"id": first.id}, principal=ADMIN)
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_deleted_review_can_be_written_again(
    marketplace: SubgraphHarness, demo: World
) -> None:
    review = next(r for r in demo.reviews if r.app_id == app_named("Kudos Wall").id)
    author = workspace(review.workspace_id)
    await marketplace.data(DELETE, {"id": review.id}, principal=author)
    data = await marketplace.data(
        CREATE, {"input": {"listingId": listing_of("Kudos Wall"), "rating": 4}}, principal=author
    )
    assert data["createReview"]["listing"]["reviewCount"] == 13
