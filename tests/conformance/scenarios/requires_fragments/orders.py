from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.interface
class Item:
    title: str


@strawberry.federation.type(shareable=True)
class Book(Item):
    pages: int


@strawberry.federation.type(shareable=True)
class Movie(Item):
    minutes: int


ITEMS: dict[str, Item] = {
    "o1": Book(title="Dune", pages=600),
    "o2": Movie(title="Alien", minutes=117),
    "o3": Book(title="Emma", pages=300),
}


@strawberry.federation.type(keys=["id"])
class Order:
    id: strawberry.ID
    item: Item | None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Order:
        return Order(id=id, item=ITEMS[id])


@strawberry.type
class Query:
    @strawberry.field
    def orders(self) -> list[Order]:
        return [Order(id=strawberry.ID(i), item=item) for i, item in ITEMS.items()]


schema = strawberry.federation.Schema(query=Query, types=[Book, Movie])
app = GraphQL(schema)
