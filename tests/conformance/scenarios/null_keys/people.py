from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["email"])
class Person:
    email: str | None
    name: str


@strawberry.type
class Team:
    lead: Person | None
    members: list[Person | None]


@strawberry.type
class Query:
    @strawberry.field
    def teams(self) -> list[Team]:
        ada = Person(email="ada@example.com", name="Ada")
        grace = Person(email="grace@example.com", name="Grace")
        return [Team(lead=ada, members=[grace, None, ada]), Team(lead=None, members=[None])]

    @strawberry.field
    def keyless(self) -> list[Person]:
        return [Person(email=None, name="Ghost"), Person(email="grace@example.com", name="Grace")]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
