from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

ROWS = {"1": ("Table", 899, 100), "2": ("Couch", 1299, 1000), "3": ("Chair", 54, 50)}


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID
    name: str
    price: int
    weight: int

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID) -> Product:
        return load(upc)


def load(upc: str) -> Product:
    name, price, weight = ROWS[upc]
    return Product(upc=strawberry.ID(upc), name=name, price=price, weight=weight)


@strawberry.type
class Query:
    @strawberry.field
    def top_products(self) -> list[Product]:
        return [load(upc) for upc in ROWS]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
