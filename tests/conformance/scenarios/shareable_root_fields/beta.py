from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

ROWS = {"1": "Table", "2": "Couch"}


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    name: str = strawberry.federation.field(shareable=True)

    @strawberry.field
    def stock(self) -> int:
        return {"1": 4, "2": 0}[self.id]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return Product(id=id, name=ROWS[id])


@strawberry.type
class Query:
    @strawberry.federation.field(shareable=True)
    def products(self) -> list[Product]:
        return [Product(id=strawberry.ID(i), name=n) for i, n in ROWS.items()]

    @strawberry.federation.field(shareable=True)
    def server_time(self) -> str:
        return "2024-01-01T00:00:00Z"


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
