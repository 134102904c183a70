from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["id"])
class Cat:
    id: strawberry.ID
    name: str | None = strawberry.federation.field(override="zoo")
    lives: int

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Cat:
        return Cat(id=id, name="Tom", lives=9)


@strawberry.type
class Query:
    @strawberry.field
    def cat_count(self) -> int:
        return 1


schema = strawberry.federation.Schema(query=Query, types=[Cat])
app = GraphQL(schema)
