from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

TITLES = {"b1": ("Dune", "Herbert"), "m1": ("Alien", "Scott")}


@strawberry.interface
class Media:
    id: strawberry.ID
    title: str


@strawberry.federation.type(keys=["id"])
class Book(Media):
    title: str = strawberry.federation.field(shareable=True)
    author: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Book:
        return Book(id=id, title=TITLES[id][0], author=TITLES[id][1])


@strawberry.federation.type(keys=["id"])
class Movie(Media):
    title: str = strawberry.federation.field(shareable=True)
    director: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Movie:
        return Movie(id=id, title=TITLES[id][0], director=TITLES[id][1])


@strawberry.type
class Query:
    @strawberry.field
    def media(self) -> list[Media]:
        return [
            Book.resolve_reference(strawberry.ID("b1")),
            Movie.resolve_reference(strawberry.ID("m1")),
        ]


schema = strawberry.federation.Schema(query=Query, types=[Book, Movie])
app = GraphQL(schema)
