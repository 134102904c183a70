from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

# the username this subgraph keeps with each review, so it can provide it
REVIEWS = [("r1", "Great", "u1", "ada"), ("r2", "Meh", "u2", "grace"), ("r3", "Fine", "u1", "ada")]


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    username: str = strawberry.federation.field(external=True)


@strawberry.type
class Review:
    id: strawberry.ID
    body: str
    author: User = strawberry.federation.field(provides=["username"])


@strawberry.type
class Query:
    @strawberry.field
    def reviews(self) -> list[Review]:
        return [
            Review(id=strawberry.ID(i), body=b, author=User(id=strawberry.ID(u), username=n))
            for i, b, u, n in REVIEWS
        ]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
