from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["id"])
class Cell:
    id: strawberry.ID

    @strawberry.field
    def value(self) -> int:
        return int(self.id[0]) * 10 + "abc".index(self.id[1])

    @strawberry.field
    def neighbours(self) -> list[list[str]]:
        return [[self.id, self.id[::-1]]]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Cell:
        return Cell(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def origin(self) -> Cell:
        return Cell(id=strawberry.ID("1a"))


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
