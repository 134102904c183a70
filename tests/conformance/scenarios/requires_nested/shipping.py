from __future__ import annotations

from typing import Any

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(shareable=True)
class Dimensions:
    size: str = strawberry.federation.field(external=True)
    weight: float = strawberry.federation.field(external=True)


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    dimensions: Dimensions | None = strawberry.federation.field(external=True, default=None)

    @strawberry.federation.field(requires=["dimensions { size weight }"])
    def shipping_cost(self) -> float:
        assert self.dimensions is not None, "requires not sent"
        base = 10.0 if self.dimensions.size == "large" else 2.5
        return base + self.dimensions.weight * 0.5

    @classmethod
    def resolve_reference(
        cls, id: strawberry.ID, dimensions: dict[str, Any] | None = None
    ) -> Product:
        return Product(id=id, dimensions=Dimensions(**dimensions) if dimensions else None)


@strawberry.type
class Query:
    @strawberry.field
    def carrier(self) -> str:
        return "PostBird"


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
