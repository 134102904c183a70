from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

# Written by hand: Strawberry cannot print a type-level @external.
SDL = """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@provides"])

interface Animal {
  id: ID!
  name: String
}

type Dog implements Animal @key(fields: "id") {
  id: ID!
  name: String @external
}

type Cat implements Animal @key(fields: "id") @external {
  id: ID!
  name: String
}

type Shelter @key(fields: "id") {
  id: ID!
  city: String!
  animals: [Animal!]! @provides(fields: "... on Dog { name } ... on Cat { id name }")
}

type Query {
  shelters: [Shelter!]!
}
"""


@strawberry.interface
class Animal:
    id: strawberry.ID
    name: str | None


@strawberry.federation.type(keys=["id"])
class Dog(Animal):
    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Dog:
        return Dog(id=id, name=None)


@strawberry.federation.type(keys=["id"])
class Cat(Animal):
    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Cat:
        return Cat(id=id, name=None)


@strawberry.federation.type(keys=["id"])
class Shelter:
    id: strawberry.ID
    city: str

    @strawberry.field
    def animals(self) -> list[Animal]:
        # The provided names: what the shelter knows of its animals.
        return [Dog(id=strawberry.ID("d1"), name="Rex"), Cat(id=strawberry.ID("c1"), name="Tom")]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Shelter:
        return Shelter(id=id, city="Oslo")


@strawberry.type
class Query:
    @strawberry.field
    def shelters(self) -> list[Shelter]:
        return [Shelter(id=strawberry.ID("s1"), city="Oslo")]


schema = strawberry.federation.Schema(query=Query, types=[Dog, Cat])
app = GraphQL(schema)
