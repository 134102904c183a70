from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.interface
class Animal:
    id: strawberry.ID
    name: str | None


@strawberry.federation.type(keys=["id"])
class Dog(Animal):
    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Dog:
        return Dog(id=id, name="Rex")


@strawberry.federation.type(keys=["id"])
class Cat(Animal):
    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Cat:
        # Overridden by cats: whatever zoo says here must never reach a client.
        return Cat(id=id, name="stale name from zoo")


@strawberry.type
class Query:
    @strawberry.field
    def animals(self) -> list[Animal]:
        return [Dog(id=strawberry.ID("d1"), name="Rex"), Cat.resolve_reference(strawberry.ID("c1"))]


schema = strawberry.federation.Schema(query=Query, types=[Dog, Cat])
app = GraphQL(schema)
