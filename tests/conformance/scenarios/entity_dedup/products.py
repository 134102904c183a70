from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

PRODUCTS = {
    "1": {"name": "Table", "price": 899},
    "2": {"name": "Couch", "price": 1299},
    "3": {"name": "Chair", "price": 54},
}


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID
    name: str
    price: int

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID) -> Product | None:
        return load(upc)


def load(upc: str) -> Product | None:
    row = PRODUCTS.get(upc)
    return Product(upc=strawberry.ID(upc), **row) if row else None


@strawberry.type
class Query:
    @strawberry.field
    def top_products(self, first: int = 5) -> list[Product]:
        return [product for upc in list(PRODUCTS)[:first] if (product := load(upc))]

    @strawberry.field
    def product(self, upc: strawberry.ID) -> Product | None:
        return load(upc)


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
