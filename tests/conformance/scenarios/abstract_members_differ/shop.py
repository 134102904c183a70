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
    pages: int

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Book:
        return Book(id=id, title="Dune", pages=600)


@strawberry.type
class Gadget(Item):
    battery: bool


SearchResult = Annotated[Book | Gadget, strawberry.union("SearchResult")]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [
            Book.resolve_reference(strawberry.ID("b1")),
            Gadget(id=strawberry.ID("g1"), title="Lamp", battery=True),
        ]

    @strawberry.field
    def search(self) -> list[SearchResult]:
        return [
            Gadget(id=strawberry.ID("g2"), title="Radio", battery=False),
            Book.resolve_reference(strawberry.ID("b1")),
        ]


schema = strawberry.federation.Schema(query=Query, types=[Book, Gadget])
app = GraphQL(schema)
