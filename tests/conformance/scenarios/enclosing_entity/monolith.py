"""The scenario's API schema served by one plain Strawberry app over the same data (the
property test's reference answer)."""

from __future__ import annotations

import strawberry

from tests.conformance.scenarios.enclosing_entity import geo, users


@strawberry.type
class Address:
    id: strawberry.ID
    street: str
    country: str


@strawberry.type
class Home:
    address: Address


def address(id: str) -> Address:
    street, country = geo.ADDRESSES[id]
    return Address(id=strawberry.ID(id), street=street, country=country)


@strawberry.type
class User:
    id: strawberry.ID
    name: str
    address: Address
    home: Home


def user(id: str) -> User:
    found = address(geo.ADDRESS_OF[id])
    return User(
        id=strawberry.ID(id), name=users.USERS[id][0], address=found, home=Home(address=found)
    )


@strawberry.type
class Query:
    @strawberry.field
    def users(self) -> list[User]:
        return [user(id) for id in users.USERS]

    @strawberry.field
    def user(self, id: strawberry.ID) -> User | None:
        return user(id) if id in users.USERS else None

    @strawberry.field
    def addresses(self) -> list[Address]:
        return [address(id) for id in geo.ADDRESSES]


schema = strawberry.Schema(query=Query)
ARGUMENTS = {"Query.user": ['"1"', '"2"', '"3"']}
