from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

ADDRESSES = {"a1": ("1 Analytical Way", "UK"), "a2": ("2 Compiler Road", "US")}
ADDRESS_OF = {"1": "a1", "2": "a2"}


@strawberry.federation.type(keys=["id"])
class Address:
    id: strawberry.ID
    street: str = strawberry.federation.field(shareable=True)
    country: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Address:
        street, country = ADDRESSES[id]
        return Address(id=id, street=street, country=country)


@strawberry.federation.type(shareable=True)
class Home:
    address: Address


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.federation.field(shareable=True)
    def address(self) -> Address:
        return Address.resolve_reference(strawberry.ID(ADDRESS_OF[self.id]))

    @strawberry.federation.field(shareable=True)
    def home(self) -> Home:
        return Home(address=self.address())

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return User(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def addresses(self) -> list[Address]:
        return [Address.resolve_reference(strawberry.ID(id)) for id in ADDRESSES]


schema = strawberry.federation.Schema(query=Query, types=[User])
app = GraphQL(schema)
