from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID

    @strawberry.field
    def name(self) -> str | None:
        if self.upc == "2":
            raise GraphQLError(
                "Name withheld", extensions={"code": "FORBIDDEN", "reason": "embargo"}
            )
        return {"1": "Table", "3": "Chair"}[self.upc]

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID) -> Product:
        return Product(upc=upc)


@strawberry.type
class Query:
    @strawberry.field
    def product(self, upc: strawberry.ID) -> Product | None:
        if upc == "404":
            raise GraphQLError("Product not found", extensions={"code": "NOT_FOUND"})
        return Product(upc=upc)

    @strawberry.field
    def products(self) -> list[Product]:
        return [Product(upc=strawberry.ID(u)) for u in ("1", "2", "3")]

    @strawberry.field
    def strict_product(self) -> Product:
        raise ValueError("database unavailable")


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
