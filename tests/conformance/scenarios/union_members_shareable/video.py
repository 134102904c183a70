from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(shareable=True)
class Album:
    title: str


@strawberry.federation.type(shareable=True)
class Film:
    title: str
    minutes: int


Result = Annotated[Album | Film, strawberry.union("Result")]


@strawberry.federation.type(keys=["id"])
class Shelf:
    id: strawberry.ID

    @strawberry.federation.field(shareable=True)
    def items(self) -> list[Result]:
        return [Album(title="Blue"), Film(title="Heat", minutes=170)]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Shelf:
        return Shelf(id=id)


@strawberry.type
class Query:
    @strawberry.federation.field(shareable=True)
    def search(self) -> list[Result]:
        return [Album(title="Blue"), Film(title="Heat", minutes=170)]


schema = strawberry.federation.Schema(query=Query, types=[Shelf])
app = GraphQL(schema)
