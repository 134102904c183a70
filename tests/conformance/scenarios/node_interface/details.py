from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.field
    def email(self) -> str:
        return "ada@example.com"

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return User(id=id)


@strawberry.federation.type(keys=["id"])
class Team:
    id: strawberry.ID

    @strawberry.field
    def size(self) -> int:
        return 7

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Team:
        return Team(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def version(self) -> str:
        return "1"


schema = strawberry.federation.Schema(query=Query, types=[User, Team])
app = GraphQL(schema)
