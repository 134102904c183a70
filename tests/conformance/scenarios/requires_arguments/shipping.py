from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

RATES = {"EU": 1, "US": 2, "ASIA": 3}


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID
    weight: int = strawberry.federation.field(external=True, default=0)

    @strawberry.federation.field(requires=["weight"])
    def shipping_estimate(self, zone: str = "EU", express: bool = False) -> int:
        return self.weight * RATES[zone] * (2 if express else 1)

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID, weight: int = 0) -> Product:
        return Product(upc=upc, weight=weight)


@strawberry.type
class Query:
    @strawberry.field
    def zones(self) -> list[str]:
        return list(RATES)


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
