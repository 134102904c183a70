from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID
    weight: int = strawberry.federation.field(external=True, default=0)

    @strawberry.federation.field(requires=["weight"])
    def in_stock(self) -> bool:
        # nothing weightless is ever in stock here
        return self.weight > 0

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID, weight: int = 0) -> Product:
        return Product(upc=upc, weight=weight)


@strawberry.type
class Query:
    @strawberry.field
    def warehouse(self) -> str:
        return "Berlin"


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
