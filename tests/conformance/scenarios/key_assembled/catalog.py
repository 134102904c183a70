from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

PRODUCTS = {
    "1": ("Table", "c1", "wood"),
    "2": ("Lamp", "c2", "light"),
    "3": ("Chair", "c1", "wood"),
}


@strawberry.federation.type(shareable=True)
class Category:
    id: strawberry.ID
    tag: str


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    name: str
    category: Category = strawberry.federation.field(shareable=True)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        name, category, tag = PRODUCTS[id]
        return Product(id=id, name=name, category=Category(id=strawberry.ID(category), tag=tag))


@strawberry.type
class Query:
    @strawberry.field
    def products(self) -> list[Product]:
        return [Product.resolve_reference(strawberry.ID(id)) for id in PRODUCTS]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
