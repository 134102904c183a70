"""The `reviews` subgraph: reviews of products, written by users; adds `Product.reviews`."""

from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

REVIEWS = [
    ("r1", "Love it!", "1", "u1"),
    ("r2", "Too expensive.", "2", "u2"),
    ("r3", "Could be better.", "3", "u1"),
    ("r4", "Prefer something else.", "1", "u1"),
]
written: list[str] = []


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID


@strawberry.type
class Review:
    id: strawberry.ID
    body: str
    author: User


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID

    @strawberry.field
    def reviews(self) -> list[Review]:
        return [
            Review(id=strawberry.ID(id_), body=body, author=User(id=strawberry.ID(author)))
            for id_, body, upc, author in REVIEWS
            if upc == self.upc
        ]

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID) -> Product:
        return Product(upc=upc)


@strawberry.type
class Query:
    @strawberry.field
    def review_count(self) -> int:
        return len(REVIEWS)


@strawberry.type
class Mutation:
    @strawberry.mutation
    def add_review(self, upc: strawberry.ID, body: str) -> Review:
        written.append(body)
        return Review(
            id=strawberry.ID(f"new{len(written)}"), body=body, author=User(id=strawberry.ID("u1"))
        )


schema = strawberry.federation.Schema(query=Query, mutation=Mutation, types=[Product])
app = GraphQL(schema)
