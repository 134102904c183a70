from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["internalId"])
class Product:
    internal_id: strawberry.ID = strawberry.federation.field(inaccessible=True)

    @strawberry.field
    def stars(self) -> int:
        return {"i-1": 5, "i-2": 3}[self.internal_id]

    @classmethod
    def resolve_reference(cls, internalId: strawberry.ID) -> Product:
        return Product(internal_id=internalId)


@strawberry.type
class Query:
    @strawberry.field
    def review_count(self) -> int:
        return 2


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
