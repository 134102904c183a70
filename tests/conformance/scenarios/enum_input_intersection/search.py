from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.asgi import GraphQL


@strawberry.enum
class Color(Enum):
    RED = "RED"
    GREEN = "GREEN"
    PURPLE = "PURPLE"


@strawberry.enum
class Status(Enum):
    ACTIVE = "ACTIVE"
    DRAFT = "DRAFT"


@strawberry.input
class Filter:
    color: Color | None = None
    max_price: int | None = None
    text: str | None = None


@strawberry.type
class Hit:
    title: str
    status: Status


@strawberry.type
class Query:
    @strawberry.field
    def search(self, filter: Filter) -> list[Hit]:
        color = filter.color.value if filter.color else "ANY"
        return [Hit(title=f"{color} under {filter.max_price}", status=Status.DRAFT)]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
