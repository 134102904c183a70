from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID
    in_stock: bool = strawberry.federation.field(external=True, default=False)

    @strawberry.federation.field(requires=["inStock"])
    def delivery(self) -> str:
        return "tomorrow" if self.in_stock else "in 3 weeks"

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID, inStock: bool = False) -> Product:
        return Product(upc=upc, in_stock=inStock)


@strawberry.type
class Query:
    @strawberry.field
    def carrier(self) -> str:
        return "PostBird"


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
