from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

NAMES = {"1": "Table", "2": "Couch"}


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID
    name: str

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID) -> Product:
        return Product(upc=upc, name=NAMES[upc])


@strawberry.type
class Query:
    @strawberry.field
    def products(self) -> list[Product]:
        return [Product(upc=strawberry.ID(u), name=n) for u, n in NAMES.items()]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
