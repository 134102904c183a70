from __future__ import annotations

from typing import Any

import strawberry
from strawberry.asgi import GraphQL

# Stock is kept per (product, pid, category): the whole key is needed to find it.
QUANTITIES = {("1", "P-100", "c1", "wood"): 4, ("2", "P-200", "c2", "light"): 0}


@strawberry.federation.type(shareable=True)
class Category:
    id: strawberry.ID
    tag: str


@strawberry.federation.type(keys=["id pid category { id tag }"])
class Product:
    id: strawberry.ID
    pid: str
    category: Category

    @strawberry.field
    def quantity(self) -> int | None:
        return QUANTITIES.get((self.id, self.pid, self.category.id, self.category.tag))

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, pid: str, category: dict[str, Any]) -> Product:
        return Product(id=id, pid=pid, category=Category(id=category["id"], tag=category["tag"]))


@strawberry.type
class Query:
    @strawberry.field
    def in_stock_count(self) -> int:
        return sum(1 for quantity in QUANTITIES.values() if quantity)


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
