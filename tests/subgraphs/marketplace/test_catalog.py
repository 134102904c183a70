"""Browsing the seeded catalog: listings, search, filters, sorts, categories and lookups."""

from __future__ import annotations

from statistics import mean

from sqlalchemy import text

from subgraphs.demo.world import CATEGORIES, World
from subgraphs.marketplace.models import listing_id_for
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.marketplace.conftest import app_named, listing_of

LISTING_IDS = """query($q: String, $sort: ListingSort) {
    listings(first: 100, search: $q, sort: $sort) { totalCount nodes { id } } }"""


async def listing_ids(marketplace: SubgraphHarness, **variables: object) -> list[str]:
    data = await marketplace.data(LISTING_IDS, variables)
    return [node["id"] for node in data["listings"]["nodes"]]


async def test_listings_show_only_published_apps(marketplace: SubgraphHarness, demo: World) -> None:
    data = await marketplace.data(LISTING_IDS)
    published = {listing_id_for(app.id) for app in demo.apps if app.status == "PUBLISHED"}
    assert data["listings"]["totalCount"] == 38
    assert {node["id"] for node in data["listings"]["nodes"]} == published


async def test_a_listing_carries_its_storefront_and_computed_ratings(
    marketplace: SubgraphHarness, demo: World
) -> None:
    app = app_named("Deploy Herald")
    data = await marketplace.data(
        """query($id: ID!) { listing(id: $id) {
            id tagline visible featured certification
            pricing { model monthlyPriceCents }
            screenshots { url caption }
            categories { slug name }
            averageRating reviewCount ratingHistogram { rating count }
            app { id listingUrl }
        } }""",
        {"id": listing_of("Deploy Herald")},
    )
    ratings = [review.rating for review in demo.reviews if review.app_id == app.id]
    listing = data["listing"]
    assert listing["tagline"] == "Every deploy announced, every rollback explained."
    assert listing["visible"] is True
    assert listing["featured"] is False
    assert listing["certification"] == "CERTIFIED"
    assert listing["pricing"] == {"model": "PAID", "monthlyPriceCents": 800}
    assert len(listing["screenshots"]) == 2
    assert all(shot["url"].startswith("https://") for shot in listing["screenshots"])
    assert listing["categories"] == [
        {"slug": "developer-tools", "name": "Developer Tools"},
        {"slug": "communication", "name": "Communication"},
    ]
    assert listing["reviewCount"] == len(ratings) == 11
    assert listing["averageRating"] == round(mean(ratings), 2)
    assert listing["ratingHistogram"] == [
        {"rating": stars, "count": ratings.count(stars)} for stars in (5, 4, 3, 2, 1)
    ]
    assert listing["app"] == {
        "id": app.id,
        "listingUrl": "https://marketplace.switchboard.dev/apps/deploy-herald",
    }


async def test_hidden_listings_are_found_by_id_but_not_listed(
    marketplace: SubgraphHarness,
) -> None:
    suspended = app_named("Standup Bot")
    data = await marketplace.data(
        """query($app: ID!) { listingByApp(appId: $app) { id visible }
            draft: listingByApp(appId: "app_dde51aafd366") { id } }""",
        {"app": suspended.id},
    )
    assert data["listingByApp"] == {"id": listing_of("Standup Bot"), "visible": False}
    assert data["draft"] is None
    assert listing_of("Standup Bot") not in await listing_ids(marketplace)


async def test_search_matches_every_term_and_ranks_name_matches_first(
    marketplace: SubgraphHarness,
) -> None:
    # Two names contain the word "review" (ties go to featured listings first). Mockup Share's
    # tagline has it only inside "Preview": the index matches words and their starts, not
    # any substring, so it is found by "prev" and not by "review".
    assert await listing_ids(marketplace, q="review") == [
        listing_of("Access Review"),
        listing_of("Code Review Nudge"),
    ]
    assert await listing_ids(marketplace, q="prev") == [listing_of("Mockup Share")]
    assert await listing_ids(marketplace, q="DEPLOY rollback!") == [listing_of("Deploy Herald")]
    assert await listing_ids(marketplace, q="deploy sprint") == []
    # A term found only in a tagline still matches, after the name matches.
    assert await listing_ids(marketplace, q="survey") == [
        listing_of("CSAT Survey"),
        listing_of("Form Builder"),
    ]


async def test_a_blank_search_lists_everything(marketplace: SubgraphHarness) -> None:
    assert len(await listing_ids(marketplace, q=" -- ")) == 38


async def test_filters_combine(marketplace: SubgraphHarness, demo: World) -> None:
    data = await marketplace.data(
        """{ listings(first: 100, category: "developer-tools", pricing: PAID, certified: true) {
            totalCount nodes { id } } }"""
    )
    expected = {
        listing_id_for(app.id)
        for app in demo.apps
        if app.status == "PUBLISHED"
        and "developer-tools" in app.category_slugs
        and app.pricing == "PAID"
        and app.certification == "CERTIFIED"
    }
    assert {node["id"] for node in data["listings"]["nodes"]} == expected
    assert expected == {listing_of("Deploy Herald"), listing_of("Build Watch")}
    featured = await marketplace.data("{ listings(featured: true) { totalCount } }")
    assert featured["listings"]["totalCount"] == 4


async def test_sorts(marketplace: SubgraphHarness, demo: World) -> None:
    by_name = await listing_ids(marketplace, sort="NAME")
    published = sorted(
        (app for app in demo.apps if app.status == "PUBLISHED"), key=lambda app: app.name.lower()
    )
    assert by_name == [listing_id_for(app.id) for app in published]

    by_rating = await listing_ids(marketplace, sort="RATING")
    assert by_rating[:2] == [listing_of("Funnel Scope"), listing_of("Contract Vault")]

    newest = await listing_ids(marketplace, sort="NEWEST")
    latest = max(published, key=lambda app: app.created_at)
    assert newest[0] == listing_id_for(latest.id)

    relevance = await listing_ids(marketplace)
    assert relevance[:4] == [
        listing_of("Access Review"),
        listing_of("Feedback Loop"),
        listing_of("Translate Inline"),
        listing_of("Vendor Check"),
    ]


async def test_pagination_walks_every_listing_once(marketplace: SubgraphHarness) -> None:
    query = """query($after: String) { listings(first: 15, after: $after, sort: NAME) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { id } } }"""
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = (await marketplace.data(query, {"after": after}))["listings"]
        pages += 1
        assert page["totalCount"] == 38
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 38
    assert seen == await listing_ids(marketplace, sort="NAME")


async def test_bad_page_arguments_are_bad_user_input(marketplace: SubgraphHarness) -> None:
    errors = await marketplace.errors("{ listings(first: 101) { totalCount } }")
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = await marketplace.errors('{ listings(after: "nonsense") { totalCount } }')
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_categories_count_and_page_their_visible_listings(
    marketplace: SubgraphHarness, demo: World
) -> None:
    data = await marketplace.data(
        """{ categories { slug name listingCount }
             category(slug: "communication") { listings(first: 3) {
                totalCount pageInfo { hasNextPage } nodes { id featured } } }
             missing: category(slug: "gardening") { slug } }"""
    )
    assert [category["slug"] for category in data["categories"]] == [c[0] for c in CATEGORIES]
    counts = {category["slug"]: category["listingCount"] for category in data["categories"]}
    for slug, _name, _description in CATEGORIES:
        assert counts[slug] == sum(
            1 for app in demo.apps if app.status == "PUBLISHED" and slug in app.category_slugs
        )
    communication = data["category"]["listings"]
    assert communication["totalCount"] == counts["communication"] == 7
    assert communication["pageInfo"]["hasNextPage"] is True
    assert communication["nodes"][0] == {"id": listing_of("Translate Inline"), "featured": True}
    assert data["missing"] is None


async def test_featured_listings(marketplace: SubgraphHarness) -> None:
    data = await marketplace.data("{ featuredListings(first: 3) { id featured visible } }")
    assert [listing["id"] for listing in data["featuredListings"]] == [
        listing_of("Access Review"),
        listing_of("Feedback Loop"),
        listing_of("Translate Inline"),
    ]
    errors = await marketplace.errors("{ featuredListings(first: -1) { id } }")
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_reviews_of_a_listing_page_newest_first(
    marketplace: SubgraphHarness, demo: World
) -> None:
    app = app_named("Kudos Wall")
    query = """query($id: ID!, $after: String) { listing(id: $id) {
        reviews(first: 5, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        nodes { id rating body createdAt author { id } listing { id } } } } }"""
    first = (await marketplace.data(query, {"id": listing_of("Kudos Wall")}))["listing"]["reviews"]
    second = (
        await marketplace.data(
            query, {"id": listing_of("Kudos Wall"), "after": first["pageInfo"]["endCursor"]}
        )
    )["listing"]["reviews"]
    expected = sorted(
        (review for review in demo.reviews if review.app_id == app.id),
        key=lambda review: (review.created_at, review.id),
        reverse=True,
    )
    assert first["totalCount"] == 13
    shown = first["nodes"] + second["nodes"]
    assert [node["id"] for node in shown] == [review.id for review in expected[:10]]
    assert shown[0]["author"] == {"id": expected[0].workspace_id}
    assert shown[0]["createdAt"] == expected[0].created_at.isoformat()
    assert {node["listing"]["id"] for node in shown} == {listing_of("Kudos Wall")}


async def test_review_lookup(marketplace: SubgraphHarness, demo: World) -> None:
    review = demo.reviews[0]
    data = await marketplace.data(
        "query($id: ID!) {"
        ' review(id: $id) { id rating body } missing: review(id: "rev_0") { id } }',
        {"id": review.id},
    )
    assert data["review"] == {"id": review.id, "rating": review.rating, "body": review.body}
    assert data["missing"] is None


async def test_a_search_over_the_word_limit_is_bad_user_input_without_sql(
    marketplace: SubgraphHarness,
) -> None:
    words = " ".join(f"word{index}" for index in range(1000))
    with marketplace.database.count_statements() as statements:
        errors = await marketplace.errors(LISTING_IDS, {"q": words[:200]})

    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "maxWords": 10}
    assert statements.count == 0
    long = await marketplace.errors(LISTING_IDS, {"q": words})
    assert long[0]["extensions"] == {"code": "BAD_USER_INPUT", "maxLength": 200}
    assert "SELECT" not in str(long)


async def test_a_search_at_the_limits_is_answered_from_the_index(
    marketplace: SubgraphHarness,
) -> None:
    ten_words = "deploy rollback " + " ".join(["deploy"] * 20) + " x1 x2 x3 x4 x5 x6 x7 x8"
    assert await listing_ids(marketplace, q=ten_words) == []
    # Words the full-text syntax would read as operators are plain words here.
    assert await listing_ids(marketplace, q='deploy OR NOT "rollback" NEAR *') == []
    assert await listing_ids(marketplace, q="deploy rollback") == [listing_of("Deploy Herald")]


async def test_search_follows_a_renamed_listing(marketplace: SubgraphHarness) -> None:
    """The index is kept by the database (triggers, a generated column), not by the code."""
    rename = text(
        "UPDATE listing SET search_name = 'zyxwv', search_document = 'zyxwv' WHERE id = :id"
    )
    async with marketplace.database.engine.begin() as connection:
        await connection.execute(rename, {"id": listing_of("Deploy Herald")})

    assert await listing_ids(marketplace, q="zyxw") == [listing_of("Deploy Herald")]
    assert await listing_ids(marketplace, q="rollback") == []
