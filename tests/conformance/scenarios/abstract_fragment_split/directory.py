from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

SIZES = {"o1": 120, "o2": 8}


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.federation.type(keys=["id"])
class Org(Node):
    size: int

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Org:
        return Org(id=id, size=SIZES[id])


@strawberry.type
class Query:
    @strawberry.field
    def node(self, id: strawberry.ID) -> Node | None:
        return Org.resolve_reference(id) if id in SIZES else None


schema = strawberry.federation.Schema(query=Query, types=[Org])
app = GraphQL(schema)
