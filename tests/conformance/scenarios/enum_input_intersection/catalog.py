from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.asgi import GraphQL


@strawberry.enum
class Color(Enum):
    RED = "RED"
    GREEN = "GREEN"
    BLUE = "BLUE"


@strawberry.enum
class Status(Enum):
    ACTIVE = "ACTIVE"
    RETIRED = "RETIRED"


@strawberry.input
class Filter:
    color: Color | None = None
    max_price: int | None = None
    in_stock_only: bool | None = None


ITEMS = [("Apple", Color.RED, 3), ("Leaf", Color.GREEN, 1), ("Sky", Color.BLUE, 9)]


@strawberry.type
class Item:
    name: str
    color: str
    status: Status


@strawberry.type
class Query:
    @strawberry.field
    def items(self, filter: Filter | None = None) -> list[Item]:
        return [
            Item(name=n, color=c.value, status=Status.ACTIVE)
            for n, c, p in ITEMS
            if filter is None
            or (
                (filter.color is None or filter.color == c)
                and (filter.max_price is None or p <= filter.max_price)
            )
        ]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
