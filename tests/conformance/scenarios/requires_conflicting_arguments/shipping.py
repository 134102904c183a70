from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    # The representation's `rate`: the one the requiring field asked for.
    rate_value: strawberry.Private[int]

    @strawberry.federation.field(external=True)
    def rate(self, region: str) -> int:
        return self.rate_value

    @strawberry.federation.field(requires=['rate(region: "EU")'])
    def eu_shipping(self) -> int:
        return self.rate_value + 1

    @strawberry.federation.field(requires=['rate(region: "US")'])
    def us_shipping(self) -> int:
        return self.rate_value + 2

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, rate: int) -> Product:
        return Product(id=id, rate_value=rate)


@strawberry.type
class Query:
    @strawberry.field
    def regions(self) -> list[str]:
        return ["EU", "US"]


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
