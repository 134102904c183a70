from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

PRICES = {"TBL-1": 899, "CCH-2": 1299, "CHR-3": 54}


@strawberry.federation.type(keys=["sku"])
class Product:
    sku: str

    @strawberry.field
    def price(self) -> int:
        return PRICES[self.sku]

    @classmethod
    def resolve_reference(cls, sku: str) -> Product:
        return Product(sku=sku)


@strawberry.type
class Query:
    @strawberry.field
    def cheapest(self) -> Product:
        return Product(sku=min(PRICES, key=PRICES.__getitem__))

    @strawberry.field
    def by_price(self) -> list[Product]:
        return [Product(sku=sku) for sku in sorted(PRICES, key=PRICES.__getitem__)]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
