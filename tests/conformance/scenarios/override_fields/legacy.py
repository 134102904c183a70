from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID

    @strawberry.field
    def name(self) -> str:
        return f"legacy name {self.id}"

    @strawberry.field
    def price(self) -> str:
        return "legacy price"

    @strawberry.field
    def rating(self) -> str:
        return "legacy rating"

    @strawberry.field
    def badge(self) -> str:
        return "legacy badge"

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return Product(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def products(self) -> list[Product]:
        return [Product(id=strawberry.ID("1")), Product(id=strawberry.ID("2"))]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
