from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL
from strawberry.federation.schema_directives import Key


@strawberry.federation.type(keys=[Key(fields="upc", resolvable=False)])
class Product:
    upc: strawberry.ID


@strawberry.type
class Review:
    body: str
    product: Product


@strawberry.type
class Query:
    @strawberry.field
    def reviews(self) -> list[Review]:
        return [
            Review(body="Sturdy", product=Product(upc=strawberry.ID("1"))),
            Review(body="Comfy", product=Product(upc=strawberry.ID("2"))),
            Review(body="Wobbly", product=Product(upc=strawberry.ID("1"))),
        ]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
