"""The marketplace's GraphQL types: its own entities and the two it extends.

`Listing`, `Category` and `Review` are owned here. `App` (owned by the apps subgraph) gains
`listing` and `listingUrl`; `Workspace` (owned by installs) gains `reviews`. Both are stubs
holding only their key, so a `Review.author` costs no query here: the gateway fetches the
workspace's own fields from installs.

Every relation goes through the request's dataloaders (`loaders.py`), so a page of fifty
listings costs one query per relation, not fifty.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

import strawberry

from subgraphs.common.clock import as_utc
from subgraphs.common.context import Info
from subgraphs.common.pagination import PAGE_SIZE, Connection, PageRequest
from subgraphs.marketplace.models import CategoryRow, ListingRow, ReviewRow

LISTING_URL = "https://marketplace.switchboard.dev/apps/{slug}"


@strawberry.enum(description="How an app is paid for.")
class PricingModel(enum.Enum):
    FREE = "FREE"
    FREEMIUM = "FREEMIUM"
    PAID = "PAID"


@strawberry.enum(description="Whether the platform has reviewed the app's security and quality.")
class CertificationState(enum.Enum):
    NONE = "NONE"
    PENDING = "PENDING"
    CERTIFIED = "CERTIFIED"


@strawberry.enum(description="Orders of `listings`.")
class ListingSort(enum.Enum):
    RELEVANCE = "RELEVANCE"
    RATING = "RATING"
    NEWEST = "NEWEST"
    NAME = "NAME"


@strawberry.type
class Pricing:
    model: PricingModel
    monthly_price_cents: int


@strawberry.type
class Screenshot:
    url: str
    caption: str


@strawberry.type(description="How many reviews gave one rating.")
class RatingCount:
    rating: int
    count: int


@dataclass(frozen=True)
class RatingSummary:
    """A listing's reviews by rating, from one grouped query for many listings."""

    counts: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        if not self.total:
            return None
        return round(sum(rating * n for rating, n in self.counts.items()) / self.total, 2)


@strawberry.federation.type(keys=["id"])
class App:
    id: strawberry.ID
    # Provided by the gateway (from apps) when `listingUrl` is selected.
    slug: str = strawberry.federation.field(external=True, default="")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, slug: str = "") -> App:
        return cls(id=id, slug=slug)

    @strawberry.field(description="The app's marketplace listing, once it has been published.")
    async def listing(self, info: Info) -> Listing | None:
        listing: Listing | None = await info.context.loaders.listing_by_app.load(self.id)
        return listing

    @strawberry.federation.field(
        requires=["slug"], description="The app's page on the public marketplace."
    )
    def listing_url(self) -> str:
        return LISTING_URL.format(slug=self.slug)


@strawberry.federation.type(keys=["id"])
class Workspace:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Workspace:
        return cls(id=id)

    @strawberry.field(
        description="Reviews written by the workspace, newest first.", directives=[PAGE_SIZE]
    )
    async def reviews(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Review]:
        key = (str(self.id), PageRequest.of(first, after))
        reviews: Connection[Review] = await info.context.loaders.workspace_reviews.load(key)
        return reviews


@strawberry.federation.type(keys=["slug"])
class Category:
    slug: str
    name: str
    description: str

    @classmethod
    def from_row(cls, row: CategoryRow) -> Category:
        return cls(slug=row.slug, name=row.name, description=row.description)

    @classmethod
    async def resolve_reference(cls, info: Info, slug: str) -> Category | None:
        category: Category | None = await info.context.loaders.category.load(slug)
        return category

    @strawberry.field(
        description="Visible listings in the category, featured first.", directives=[PAGE_SIZE]
    )
    async def listings(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Listing]:
        key = (self.slug, PageRequest.of(first, after))
        listings: Connection[Listing] = await info.context.loaders.category_listings.load(key)
        return listings

    @strawberry.field(description="How many visible listings the category holds.")
    async def listing_count(self, info: Info) -> int:
        count: int = await info.context.loaders.category_listing_count.load(self.slug)
        return count


@strawberry.federation.type(
    keys=["id"],
    description="An app's page in the marketplace. Visible only while the app is PUBLISHED; "
    "a deprecated or suspended app keeps its listing and reviews, hidden from lists.",
)
class Listing:
    id: strawberry.ID
    tagline: str
    description: str
    pricing: Pricing
    screenshots: list[Screenshot]
    certification: CertificationState
    featured: bool
    visible: bool
    published_at: datetime
    updated_at: datetime
    app_id: strawberry.Private[str]
    app_slug: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: ListingRow) -> Listing:
        return cls(
            id=strawberry.ID(row.id),
            tagline=row.tagline,
            description=row.description,
            pricing=Pricing(
                model=PricingModel(row.pricing_model),
                monthly_price_cents=row.monthly_price_cents,
            ),
            screenshots=[Screenshot(url=s["url"], caption=s["caption"]) for s in row.screenshots],
            certification=CertificationState(row.certification),
            featured=row.featured,
            visible=row.app_status == "PUBLISHED",
            published_at=as_utc(row.published_at),
            updated_at=as_utc(row.updated_at),
            app_id=row.app_id,
            app_slug=row.app_slug,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Listing | None:
        listing: Listing | None = await info.context.loaders.listing.load(str(id))
        return listing

    @strawberry.field
    def app(self) -> App:
        return App(id=strawberry.ID(self.app_id), slug=self.app_slug)

    @strawberry.field(description="The listing's categories, primary first.")
    async def categories(self, info: Info) -> list[Category]:
        categories: list[Category] = await info.context.loaders.listing_categories.load(self.id)
        return categories

    @strawberry.field(description="Mean rating, rounded to two decimals; null without reviews.")
    async def average_rating(self, info: Info) -> float | None:
        summary: RatingSummary = await info.context.loaders.rating_summary.load(self.id)
        return summary.average

    @strawberry.field
    async def review_count(self, info: Info) -> int:
        summary: RatingSummary = await info.context.loaders.rating_summary.load(self.id)
        return summary.total

    @strawberry.field(description="Review counts for each rating, 5 down to 1.")
    async def rating_histogram(self, info: Info) -> list[RatingCount]:
        summary: RatingSummary = await info.context.loaders.rating_summary.load(self.id)
        return [
            RatingCount(rating=rating, count=summary.counts.get(rating, 0))
            for rating in range(5, 0, -1)
        ]

    @strawberry.field(description="The listing's reviews, newest first.", directives=[PAGE_SIZE])
    async def reviews(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Review]:
        key = (str(self.id), PageRequest.of(first, after))
        reviews: Connection[Review] = await info.context.loaders.listing_reviews.load(key)
        return reviews


@strawberry.federation.type(keys=["id"])
class Review:
    id: strawberry.ID
    rating: int
    body: str
    created_at: datetime
    listing_id: strawberry.Private[str]
    workspace_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: ReviewRow) -> Review:
        return cls(
            id=strawberry.ID(row.id),
            rating=row.rating,
            body=row.body,
            created_at=as_utc(row.created_at),
            listing_id=row.listing_id,
            workspace_id=row.workspace_id,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Review | None:
        review: Review | None = await info.context.loaders.review.load(str(id))
        return review

    @strawberry.field
    async def listing(self, info: Info) -> Listing:
        listing: Listing = await info.context.loaders.listing.load(self.listing_id)
        return listing

    @strawberry.field(description="The workspace that wrote the review.")
    def author(self) -> Workspace:
        return Workspace(id=strawberry.ID(self.workspace_id))
