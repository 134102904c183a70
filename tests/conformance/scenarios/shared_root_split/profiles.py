from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

NAMES = {"1": "Ada", "2": "Grace"}
THEMES = {"1": "dark", "2": "light"}


@strawberry.federation.type(shareable=True)
class Settings:
    theme: str


@strawberry.federation.type(shareable=True)
class Member:
    id: strawberry.ID
    name: str
    settings: Settings


def member(id: str) -> Member:
    return Member(id=strawberry.ID(id), name=NAMES[id], settings=Settings(theme=THEMES[id]))


@strawberry.type
class Query:
    @strawberry.federation.field(shareable=True)
    def viewer(self) -> Member:
        return member("1")

    @strawberry.federation.field(shareable=True)
    def team(self) -> list[Member]:
        return [member(id) for id in NAMES]

    @strawberry.federation.field(shareable=True)
    def member(self, id: strawberry.ID) -> Member | None:
        return member(id) if id in NAMES else None


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
