from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.asgi import GraphQL


@strawberry.interface
class Item:
    id: strawberry.ID
    title: str


@strawberry.federation.type(keys=["id"])
class Book(Item):
    title: str = strawberry.federation.field(shareable=True)

    @strawberry.field
    def audiobook(self) -> bool:
        return True

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Book:
        return Book(id=id, title="Dune")


@strawberry.type
class Song(Item):
    seconds: int


SearchResult = Annotated[Book | Song, strawberry.union("SearchResult")]


@strawberry.type
class Query:
    @strawberry.field
    def playlist(self) -> list[Item]:
        return [
            Song(id=strawberry.ID("s1"), title="Blue", seconds=200),
            Book.resolve_reference(strawberry.ID("b1")),
        ]

    @strawberry.field
    def discover(self) -> list[SearchResult]:
        return [
            Book.resolve_reference(strawberry.ID("b1")),
            Song(id=strawberry.ID("s2"), title="Red", seconds=150),
        ]


schema = strawberry.federation.Schema(query=Query, types=[Book, Song])
app = GraphQL(schema)
