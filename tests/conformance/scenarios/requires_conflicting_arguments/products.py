from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

RATES = {("1", "EU"): 20, ("1", "US"): 35, ("2", "EU"): 5, ("2", "US"): 7}


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    name: str

    @strawberry.field
    def rate(self, region: str) -> int:
        return RATES[(self.id, region)]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return Product(id=id, name={"1": "Piano", "2": "Flute"}[id])


@strawberry.type
class Query:
    @strawberry.field
    def products(self) -> list[Product]:
        return [Product.resolve_reference(strawberry.ID(id)) for id in ("1", "2")]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
