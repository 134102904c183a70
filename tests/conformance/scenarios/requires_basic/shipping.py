from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID
    price: int = strawberry.federation.field(external=True, default=0)
    weight: int = strawberry.federation.field(external=True, default=0)

    @strawberry.federation.field(requires=["price weight"])
    def shipping_estimate(self) -> int:
        # free for expensive items, else half the weight
        return 0 if self.price > 1000 else self.weight // 2

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID, price: int = 0, weight: int = 0) -> Product:
        return Product(upc=upc, price=price, weight=weight)


@strawberry.type
class Query:
    @strawberry.field
    def shipping_zones(self) -> list[str]:
        return ["EU", "US"]


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
