from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.asgi import GraphQL

TITLES = {"b1": "Dune", "b2": "Emma"}
MOVIES = {"m1": "Alien", "m2": None}


@strawberry.federation.type(keys=["id"])
class Book:
    id: strawberry.ID
    title: str = strawberry.federation.field(shareable=True)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Book:
        return Book(id=id, title=TITLES[id])


@strawberry.federation.type(keys=["id"])
class Movie:
    id: strawberry.ID
    title: str | None = strawberry.federation.field(shareable=True)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Movie:
        return Movie(id=id, title=MOVIES[id])


Media = Annotated[Book | Movie, strawberry.union("Media")]


@strawberry.type
class Query:
    @strawberry.federation.field(shareable=True)
    def featured(self) -> Book:
        return Book.resolve_reference(strawberry.ID("b1"))

    @strawberry.field
    def media(self) -> list[Media]:
        return [
            Book.resolve_reference(strawberry.ID("b2")),
            Movie.resolve_reference(strawberry.ID("m1")),
            Movie.resolve_reference(strawberry.ID("m2")),
        ]


schema = strawberry.federation.Schema(query=Query, types=[Book, Movie])
app = GraphQL(schema)
