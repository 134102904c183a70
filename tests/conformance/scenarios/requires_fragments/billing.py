from __future__ import annotations

from typing import Any

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.interface
class Item:
    title: str


@strawberry.federation.type(shareable=True)
class Book(Item):
    pages: int = strawberry.federation.field(external=True)


@strawberry.federation.type(shareable=True)
class Movie(Item):
    minutes: int = strawberry.federation.field(external=True)


@strawberry.federation.type(keys=["id"])
class Order:
    id: strawberry.ID
    item_data: strawberry.Private[dict[str, Any]]
    item: Item | None = strawberry.federation.field(external=True, default=None)

    @strawberry.federation.field(
        requires=["item { __typename ... on Book { pages } ... on Movie { minutes } }"]
    )
    def cost(self) -> int:
        if self.item_data.get("__typename") == "Book":
            return self.item_data["pages"] // 100
        return self.item_data["minutes"] // 10

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, item: dict[str, Any] | None = None) -> Order:
        return Order(id=id, item_data=item or {})


@strawberry.type
class Query:
    @strawberry.field
    def currency(self) -> str:
        return "EUR"


schema = strawberry.federation.Schema(query=Query, types=[Order, Book, Movie])
app = GraphQL(schema)
