from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

USERS = {"1": ("Ada", "ada@example.com"), "2": ("Alan", "alan@example.com")}


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    name: str = strawberry.federation.field(shareable=True)
    email: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        name, email = USERS[id]
        return User(id=id, name=name, email=email)


@strawberry.type
class Query:
    @strawberry.field
    def user(self, id: strawberry.ID) -> User | None:
        return User.resolve_reference(id) if id in USERS else None


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
