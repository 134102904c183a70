"""The `users` subgraph: users and who is signed in."""

from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

USERS = {"u1": "ada", "u2": "alan"}


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    username: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User | None:
        return User(id=id, username=USERS[id]) if id in USERS else None


@strawberry.type
class Query:
    @strawberry.field
    def me(self) -> User:
        return User(id=strawberry.ID("u1"), username=USERS["u1"])


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
