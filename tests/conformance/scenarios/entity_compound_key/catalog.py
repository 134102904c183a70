from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

VARIANTS = [("p1", "red", "Red shirt"), ("p1", "blue", "Blue shirt"), ("p2", "red", "Red mug")]


@strawberry.federation.type(keys=["productId sku"])
class Variant:
    product_id: strawberry.ID
    sku: str
    name: str

    @classmethod
    def resolve_reference(cls, productId: strawberry.ID, sku: str) -> Variant | None:
        for product, variant_sku, name in VARIANTS:
            if (product, variant_sku) == (productId, sku):
                return Variant(product_id=productId, sku=sku, name=name)
        return None


@strawberry.type
class Query:
    @strawberry.field
    def variants(self) -> list[Variant]:
        return [Variant(product_id=strawberry.ID(p), sku=s, name=n) for p, s, n in VARIANTS]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
