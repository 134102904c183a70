from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

USERS = {"u1": ("ada", "Ada Lovelace"), "u2": ("grace", "Grace Hopper")}


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    username: str = strawberry.federation.field(shareable=True)
    name: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        username, name = USERS[id]
        return User(id=id, username=username, name=name)


@strawberry.type
class Query:
    @strawberry.field
    def me(self) -> User:
        return User.resolve_reference(strawberry.ID("u1"))


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
