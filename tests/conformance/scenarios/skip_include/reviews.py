from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

REVIEWS = [
    {"id": "r1", "body": "Love it!", "product": "1", "author": "u1"},
    {"id": "r2", "body": "Too expensive.", "product": "2", "author": "u2"},
    {"id": "r3", "body": "Could be better.", "product": "3", "author": "u1"},
    {"id": "r4", "body": "Prefer something else.", "product": "1", "author": "u2"},
]


@strawberry.type
class Review:
    id: strawberry.ID
    body: str
    product_upc: strawberry.Private[str]

    @strawberry.field
    def product(self) -> Product:
        return Product(upc=strawberry.ID(self.product_upc))


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID

    @strawberry.field
    def reviews(self) -> list[Review]:
        return [review(row) for row in REVIEWS if row["product"] == self.upc]

    @strawberry.field
    def review_count(self) -> int:
        return len(self.reviews())

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID) -> Product:
        return Product(upc=upc)


def review(row: dict[str, str]) -> Review:
    return Review(id=strawberry.ID(row["id"]), body=row["body"], product_upc=row["product"])


@strawberry.type
class Query:
    @strawberry.field
    def latest_reviews(self) -> list[Review]:
        return [review(row) for row in reversed(REVIEWS)]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
