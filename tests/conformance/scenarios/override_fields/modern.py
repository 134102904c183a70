from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL
from strawberry.federation.schema_directives import Override


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID

    @strawberry.federation.field(override="legacy")
    def price(self) -> str:
        return "modern price"

    @strawberry.federation.field(override=Override(override_from="legacy", label="percent(100)"))
    def rating(self) -> str:
        return "modern rating"

    @strawberry.federation.field(override=Override(override_from="legacy", label="beta-badges"))
    def badge(self) -> str:
        return "modern badge"

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return Product(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def featured(self) -> Product:
        return Product(id=strawberry.ID("2"))


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
