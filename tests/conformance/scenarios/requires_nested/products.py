from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(shareable=True)
class Dimensions:
    size: str
    weight: float
    unit: str


ROWS = {"1": ("Table", "large", 30.5), "2": ("Lamp", "small", 1.25)}


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    name: str
    dimensions: Dimensions | None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return load(id)


def load(id: str) -> Product:
    name, size, weight = ROWS[id]
    return Product(
        id=strawberry.ID(id), name=name, dimensions=Dimensions(size=size, weight=weight, unit="kg")
    )


@strawberry.type
class Query:
    @strawberry.field
    def products(self) -> list[Product]:
        return [load(i) for i in ROWS]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
