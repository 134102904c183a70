"""The two subgraphs every failure scenario starts from; each scenario wraps one of them in a
fault. products owns Product and the root fields; inventory adds a nullable `stock` and a
non-null `location`, so a failed entity fetch shows both plain nulls and null propagation."""

from __future__ import annotations

import strawberry

NAMES = {"1": "Table", "2": "Couch", "3": "Chair"}
STOCK = {"1": 4, "2": 0, "3": 12}


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID
    name: str

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID) -> Product:
        return Product(upc=upc, name=NAMES[upc])


@strawberry.type
class ProductsQuery:
    @strawberry.field
    def top_products(self) -> list[Product] | None:
        return [Product(upc=strawberry.ID(u), name=n) for u, n in NAMES.items()]

    @strawberry.field
    def product(self, upc: strawberry.ID) -> Product | None:
        return Product(upc=upc, name=NAMES[upc]) if upc in NAMES else None


products_schema = strawberry.federation.Schema(query=ProductsQuery)


@strawberry.federation.type(name="Product", keys=["upc"])
class StockedProduct:
    upc: strawberry.ID

    @strawberry.field
    def stock(self) -> int | None:
        return STOCK[self.upc]

    @strawberry.field
    def location(self) -> str:
        return "Berlin"

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID) -> StockedProduct:
        return StockedProduct(upc=upc)


@strawberry.type
class InventoryQuery:
    @strawberry.field
    def warehouse(self) -> str | None:
        return "Berlin"


inventory_schema = strawberry.federation.Schema(query=InventoryQuery, types=[StockedProduct])
