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

    @strawberry.field
    def shipping_fee(self) -> Money:
        return Money(amount={"1": 50, "2": 5}[self.id], currency="EUR")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return Product(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def flat_rate(self) -> Money:
        return Money(amount=7, currency="USD")


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
