from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

STOCK = {("p1", "red"): 3, ("p1", "blue"): 0, ("p2", "red"): 12}


@strawberry.federation.type(keys=["productId sku"])
class Variant:
    product_id: strawberry.ID
    sku: str

    @strawberry.field
    def stock(self) -> int:
        return STOCK[(self.product_id, self.sku)]

    @strawberry.field
    def in_stock(self) -> bool:
        return self.stock() > 0

    @classmethod
    def resolve_reference(cls, productId: strawberry.ID, sku: str) -> Variant:
        return Variant(product_id=productId, sku=sku)


@strawberry.type
class Query:
    @strawberry.field
    def out_of_stock(self) -> list[Variant]:
        return [
            Variant(product_id=strawberry.ID(p), sku=s) for (p, s), n in STOCK.items() if n == 0
        ]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
