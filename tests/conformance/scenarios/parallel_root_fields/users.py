from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.type
class User:
    id: strawberry.ID
    name: str


@strawberry.type
class Query:
    @strawberry.field
    def me(self) -> User:
        return User(id=strawberry.ID("u1"), name="Ada")

    @strawberry.field
    def user_count(self) -> int:
        return 1


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
