from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

STARS = {"b1": 5, "m1": 4, "b2": 3}


@strawberry.federation.interface_object(keys=["id"])
class Media:
    id: strawberry.ID

    @strawberry.field
    def stars(self) -> int:
        return STARS[self.id]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Media:
        return Media(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def top_rated(self) -> list[Media]:
        return [
            Media(id=strawberry.ID(i)) for i in sorted(STARS, key=STARS.__getitem__, reverse=True)
        ]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
