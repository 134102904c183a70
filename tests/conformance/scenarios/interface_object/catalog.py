from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.interface(keys=["id"])
class Media:
    id: strawberry.ID
    title: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Media:
        return MEDIA[id]


@strawberry.federation.type(keys=["id"])
class Book(Media):
    author: str


@strawberry.federation.type(keys=["id"])
class Movie(Media):
    director: str


MEDIA: dict[str, Media] = {
    "b1": Book(id=strawberry.ID("b1"), title="Dune", author="Herbert"),
    "m1": Movie(id=strawberry.ID("m1"), title="Alien", director="Scott"),
    "b2": Book(id=strawberry.ID("b2"), title="Emma", author="Austen"),
}


@strawberry.type
class Query:
    @strawberry.field
    def library(self) -> list[Media]:
        return list(MEDIA.values())


schema = strawberry.federation.Schema(query=Query, types=[Book, Movie])
app = GraphQL(schema)
