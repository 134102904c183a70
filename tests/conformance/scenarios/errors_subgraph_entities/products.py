from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID


@strawberry.type
class Query:
    @strawberry.field
    def products(self) -> list[Product | None]:
        return [Product(upc=strawberry.ID(u)) for u in ("1", "2", "3", "4")]

    @strawberry.field
    def strict_products(self) -> list[Product]:
        return [Product(upc=strawberry.ID(u)) for u in ("1", "2")]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
