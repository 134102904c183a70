"""The scenario's API schema served by one plain Strawberry app over the same data (the
property test's reference answer)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from tests.conformance.scenarios.abstract_fragment_split import accounts, directory


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class User(Node):
    name: str


@strawberry.type
class Org(Node):
    title: str
    size: int


Owner = Annotated[User | Org, strawberry.union("Owner")]


def org(id: str) -> Org:
    return Org(
        id=strawberry.ID(id),
        title=accounts.Org.resolve_reference(strawberry.ID(id)).title,
        size=directory.SIZES[id],
    )


def user(id: str) -> User:
    return User(id=strawberry.ID(id), name=accounts.User.resolve_reference(strawberry.ID(id)).name)


@strawberry.type
class Query:
    @strawberry.field
    def owners(self) -> list[Owner]:
        return [user("u1"), org("o1"), org("o2"), user("u2")]

    @strawberry.field
    def node(self, id: strawberry.ID) -> Node | None:
        return org(id) if id in directory.SIZES else None


schema = strawberry.Schema(query=Query, types=[User, Org])
ARGUMENTS = {"Query.node": ['"o1"', '"o2"', '"u1"']}
