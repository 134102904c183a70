from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

USERS = {"1": ("Ada", "1 Analytical Way"), "2": ("Grace", "2 Compiler Road")}


@strawberry.federation.type(shareable=True)
class Address:
    street: str


@strawberry.federation.type(shareable=True)
class Home:
    address: Address


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    name: str
    address: Address = strawberry.federation.field(shareable=True)
    home: Home = strawberry.federation.field(shareable=True)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        name, street = USERS[id]
        address = Address(street=street)
        return User(id=id, name=name, address=address, home=Home(address=address))


@strawberry.type
class Query:
    @strawberry.field
    def users(self) -> list[User]:
        return [User.resolve_reference(strawberry.ID(id)) for id in USERS]

    @strawberry.field
    def user(self, id: strawberry.ID) -> User | None:
        return User.resolve_reference(id) if id in USERS else None


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
