from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(shareable=True)
class Profile:
    handle: str
    bio: str


PROFILES = {
    "u1": Profile(handle="@ada", bio="Analyst"),
    "u2": Profile(handle="@grace", bio="Admiral"),
}


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    profile: Profile = strawberry.federation.field(shareable=True)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return User(id=id, profile=PROFILES[id])


@strawberry.type
class Query:
    @strawberry.field
    def users(self) -> list[User]:
        return [User(id=strawberry.ID(i), profile=p) for i, p in PROFILES.items()]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
