from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(shareable=True)
class Profile:
    handle: str = strawberry.federation.field(external=True)


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    profile: Profile = strawberry.federation.field(external=True)


@strawberry.type
class Review:
    body: str
    author: User = strawberry.federation.field(provides=["profile { handle }"])


@strawberry.type
class Query:
    @strawberry.field
    def reviews(self) -> list[Review]:
        def author(user: str, handle: str) -> User:
            return User(id=strawberry.ID(user), profile=Profile(handle=handle))

        return [
            Review(body="Great", author=author("u1", "@ada")),
            Review(body="Meh", author=author("u2", "@grace")),
        ]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
