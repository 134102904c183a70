from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(shareable=True)
class Money:
    amount: int
    currency: str


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    price: Money

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return Product(id=id, price=Money(amount={"1": 899, "2": 15}[id], currency="EUR"))


@strawberry.type
class Query:
    @strawberry.field
    def products(self) -> list[Product]:
        return [Product.resolve_reference(strawberry.ID(i)) for i in ("1", "2")]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
