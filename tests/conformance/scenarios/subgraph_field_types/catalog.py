from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.asgi import GraphQL

BOOKS = {"b1": ("Dune", 1965), "b2": ("Emma", 1815)}
MOVIES = {"m1": ("Alien", 8), "m2": (None, 5)}


@strawberry.federation.type(keys=["id"])
class Book:
    id: strawberry.ID
    title: str | None = strawberry.federation.field(shareable=True)
    year: int

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Book:
        title, year = BOOKS[id]
        return Book(id=id, title=title, year=year)


@strawberry.federation.type(keys=["id"])
class Movie:
    id: strawberry.ID
    title: str | None = strawberry.federation.field(shareable=True)
    rating: int

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Movie:
        title, rating = MOVIES[id]
        return Movie(id=id, title=title, rating=rating)


Media = Annotated[Book | Movie, strawberry.union("Media")]


@strawberry.type
class Query:
    @strawberry.federation.field(shareable=True)
    def featured(self) -> Media:
        return Book.resolve_reference(strawberry.ID("b1"))


schema = strawberry.federation.Schema(query=Query, types=[Book, Movie])
app = GraphQL(schema)
