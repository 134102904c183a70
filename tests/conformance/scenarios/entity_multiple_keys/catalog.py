from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

ROWS = [("1", "TBL-1", "Table"), ("2", "CCH-2", "Couch"), ("3", "CHR-3", "Chair")]


@strawberry.federation.type(keys=["id", "sku"])
class Product:
    id: strawberry.ID
    sku: str
    name: str

    @classmethod
    def resolve_reference(cls, id: str | None = None, sku: str | None = None) -> Product | None:
        for row in ROWS:
            if row[0] == id or row[1] == sku:
                return Product(id=strawberry.ID(row[0]), sku=row[1], name=row[2])
        return None


@strawberry.type
class Query:
    @strawberry.field
    def products(self) -> list[Product]:
        return [Product(id=strawberry.ID(i), sku=s, name=n) for i, s, n in ROWS]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
