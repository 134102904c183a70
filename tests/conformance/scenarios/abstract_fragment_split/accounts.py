from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.asgi import GraphQL


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.federation.type(keys=["id"])
class User(Node):
    name: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return User(id=id, name={"u1": "Ada", "u2": "Linus"}[id])


@strawberry.federation.type(keys=["id"])
class Org:
    id: strawberry.ID
    title: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Org:
        return Org(id=id, title={"o1": "Acme", "o2": "Initech"}[id])


Owner = Annotated[User | Org, strawberry.union("Owner")]


@strawberry.type
class Query:
    @strawberry.field
    def owners(self) -> list[Owner]:
        return [
            User.resolve_reference(strawberry.ID("u1")),
            Org.resolve_reference(strawberry.ID("o1")),
            Org.resolve_reference(strawberry.ID("o2")),
            User.resolve_reference(strawberry.ID("u2")),
        ]


schema = strawberry.federation.Schema(query=Query, types=[User, Org])
app = GraphQL(schema)
