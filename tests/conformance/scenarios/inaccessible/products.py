from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.enum
class Visibility(Enum):
    PUBLIC = "PUBLIC"
    HIDDEN = strawberry.federation.enum_value("HIDDEN", inaccessible=True)


@strawberry.federation.type(keys=["internalId"])
class Product:
    internal_id: strawberry.ID = strawberry.federation.field(inaccessible=True)
    name: str
    cost_price: int = strawberry.federation.field(inaccessible=True)
    visibility: Visibility

    @classmethod
    def resolve_reference(cls, internalId: strawberry.ID) -> Product:
        return load(internalId)


def load(internal_id: str) -> Product:
    name, cost = {"i-1": ("Table", 400), "i-2": ("Couch", 700)}[internal_id]
    return Product(
        internal_id=strawberry.ID(internal_id),
        name=name,
        cost_price=cost,
        visibility=Visibility.PUBLIC,
    )


@strawberry.federation.type(inaccessible=True)
class AuditLog:
    entries: list[str]


@strawberry.type
class Query:
    @strawberry.field
    def products(
        self,
        include_hidden: Annotated[bool, strawberry.federation.argument(inaccessible=True)] = False,
    ) -> list[Product]:
        return [load("i-1"), load("i-2")]

    @strawberry.federation.field(inaccessible=True)
    def audit_log(self) -> AuditLog:
        return AuditLog(entries=["boot"])


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
