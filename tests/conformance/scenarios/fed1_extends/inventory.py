from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

SDL = """
extend type Product @key(fields: "upc") {
  upc: ID! @external
  weight: Int! @external
  inStock: Boolean!
  shippingEstimate: Int! @requires(fields: "weight")
}

extend type Query {
  warehouses: [String!]!
}
"""

STOCK = {"1": True, "2": False, "3": True}


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID
    weight: int = strawberry.federation.field(external=True, default=0)

    @strawberry.field
    def in_stock(self) -> bool:
        return STOCK[self.upc]

    @strawberry.federation.field(requires=["weight"])
    def shipping_estimate(self) -> int:
        return self.weight // 2

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID, weight: int = 0) -> Product:
        return Product(upc=upc, weight=weight)


@strawberry.type
class Query:
    @strawberry.field
    def warehouses(self) -> list[str]:
        return ["Berlin"]


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
