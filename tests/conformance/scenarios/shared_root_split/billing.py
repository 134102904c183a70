from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

PLANS = {"1": "pro", "2": "free"}
CURRENCIES = {"1": "EUR", "2": "USD"}


@strawberry.federation.type(shareable=True)
class Settings:
    currency: str


@strawberry.federation.type(shareable=True)
class Member:
    id: strawberry.ID
    plan: str
    settings: Settings


def member(id: str) -> Member:
    return Member(id=strawberry.ID(id), plan=PLANS[id], settings=Settings(currency=CURRENCIES[id]))


@strawberry.type
class Query:
    @strawberry.federation.field(shareable=True)
    def viewer(self) -> Member:
        return member("1")

    @strawberry.federation.field(shareable=True)
    def team(self) -> list[Member]:
        return [member(id) for id in PLANS]

    @strawberry.federation.field(shareable=True)
    def member(self, id: strawberry.ID) -> Member | None:
        return member(id) if id in PLANS else None


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
