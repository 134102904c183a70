from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

USERS = {"u1": "Ada", "u2": "Grace", "u3": "Alan"}


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    name: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return User(id=id, name=USERS[id])


@strawberry.type
class Query:
    @strawberry.field
    def users(self) -> list[User]:
        return [User(id=strawberry.ID(i), name=n) for i, n in USERS.items()]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
