from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

RATINGS = {"1": [5, 4], "2": [2], "3": []}


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID

    @strawberry.field
    def ratings(self) -> list[int]:
        return RATINGS[self.id]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return Product(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def unrated(self) -> list[Product]:
        return [Product(id=strawberry.ID(i)) for i, r in RATINGS.items() if not r]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
