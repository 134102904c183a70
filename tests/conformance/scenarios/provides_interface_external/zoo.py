from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

ANIMALS = {"d1": ("Dog", "Rex", 4), "c1": ("Cat", "Tom", 9)}


@strawberry.interface
class Animal:
    id: strawberry.ID
    name: str | None


@strawberry.federation.type(keys=["id"])
class Dog(Animal):
    name: str | None = strawberry.federation.field(shareable=True)
    age: int = 0

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Dog:
        _, name, age = ANIMALS[id]
        return Dog(id=id, name=name, age=age)


@strawberry.federation.type(keys=["id"])
class Cat(Animal):
    name: str | None = strawberry.federation.field(shareable=True)
    lives: int = 0

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Cat:
        _, name, lives = ANIMALS[id]
        return Cat(id=id, name=name, lives=lives)


@strawberry.type
class Query:
    @strawberry.field
    def animals(self) -> list[Animal]:
        return [
            Dog.resolve_reference(strawberry.ID("d1")),
            Cat.resolve_reference(strawberry.ID("c1")),
        ]


schema = strawberry.federation.Schema(query=Query, types=[Dog, Cat])
app = GraphQL(schema)
