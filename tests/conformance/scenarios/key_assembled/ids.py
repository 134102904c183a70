from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

PIDS = {"1": "P-100", "2": "P-200", "3": "P-300"}


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    pid: str = strawberry.federation.field(shareable=True)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return Product(id=id, pid=PIDS[id])


@strawberry.type
class Query:
    @strawberry.field
    def product_ids(self) -> list[str]:
        return list(PIDS.values())


schema = strawberry.federation.Schema(query=Query, types=[Product])
app = GraphQL(schema)
