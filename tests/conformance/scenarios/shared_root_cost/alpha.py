from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID


@strawberry.federation.type(shareable=True)
class Review:
    body: str
    author: User


@strawberry.type
class Query:
    @strawberry.federation.field(shareable=True)
    def reviews(self) -> list[Review]:
        return [
            Review(body="Great", author=User(id=strawberry.ID("1"))),
            Review(body="Meh", author=User(id=strawberry.ID("2"))),
        ]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
