from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

SDL = """
directive @extends on OBJECT | INTERFACE

type Product @key(fields: "upc") @extends {
  upc: ID! @external
  reviews: [Review!]!
}

type Review {
  body: String!
  product: Product!
}

type Query @extends {
  reviews: [Review!]!
}
"""

REVIEWS = [("1", "Solid"), ("3", "Comfy"), ("1", "Heavy")]


@strawberry.type
class Review:
    body: str
    product: Product


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID

    @strawberry.field
    def reviews(self) -> list[Review]:
        return [Review(body=b, product=self) for u, b in REVIEWS if u == self.upc]

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID) -> Product:
        return Product(upc=upc)


@strawberry.type
class Query:
    @strawberry.field
    def reviews(self) -> list[Review]:
        return [Review(body=b, product=Product(upc=strawberry.ID(u))) for u, b in REVIEWS]


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
