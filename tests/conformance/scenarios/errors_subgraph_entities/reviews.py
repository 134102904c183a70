from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: strawberry.ID

    @strawberry.field
    def rating(self) -> float | None:
        if self.upc == "2":
            raise GraphQLError("Rating service hiccup", extensions={"code": "RATING_UNAVAILABLE"})
        return {"1": 4.5, "3": 3.0, "4": 5.0}[self.upc]

    @strawberry.field
    def top_review(self) -> str:
        if self.upc in ("2", "4"):
            raise GraphQLError(f"No review for {self.upc}")
        return f"review of {self.upc}"

    @classmethod
    def resolve_reference(cls, upc: strawberry.ID) -> Product:
        if upc == "3":
            raise GraphQLError("Product 3 is gone", extensions={"code": "GONE"})
        return Product(upc=upc)


@strawberry.type
class Query:
    @strawberry.field
    def reviewers(self) -> int:
        return 2


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
