from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.asgi import GraphQL


@strawberry.interface
class Media:
    id: strawberry.ID
    title: str


@strawberry.federation.type(keys=["id"])
class Book(Media):
    title: str = strawberry.federation.field(external=True)


@strawberry.federation.type(keys=["id"])
class Movie(Media):
    title: str = strawberry.federation.field(external=True)


Attachment = Annotated[Book | Movie, strawberry.union("Attachment")]


@strawberry.type
class Post:
    text: str
    media: Media = strawberry.federation.field(
        provides=["... on Book { title } ... on Movie { title }"]
    )
    attachment: Attachment = strawberry.federation.field(
        provides=["... on Book { title } ... on Movie { title }"]
    )


@strawberry.type
class Query:
    @strawberry.field
    def posts(self) -> list[Post]:
        dune = Book(id=strawberry.ID("b1"), title="Dune")
        alien = Movie(id=strawberry.ID("m1"), title="Alien")
        return [
            Post(text="Reading", media=dune, attachment=alien),
            Post(text="Watching", media=alien, attachment=dune),
        ]


schema = strawberry.federation.Schema(query=Query, types=[Book, Movie])
app = GraphQL(schema)
