from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

BADGES = {"ada@example.com": ["pioneer"], "grace@example.com": ["admiral", "debugger"]}


@strawberry.federation.type(keys=["email"])
class Person:
    email: str | None

    @strawberry.field
    def badges(self) -> list[str] | None:
        return BADGES.get(self.email or "")

    @classmethod
    def resolve_reference(cls, email: str | None = None) -> Person:
        return Person(email=email)


@strawberry.type
class Query:
    @strawberry.field
    def badge_names(self) -> list[str]:
        return sorted({b for badges in BADGES.values() for b in badges})


schema = strawberry.federation.Schema(query=Query, types=[Person])
app = GraphQL(schema)
