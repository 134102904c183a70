from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

POSTS = {"p1": ("u1", "Engines"), "p2": ("u1", "Notes"), "p3": ("u2", "Compilers")}


@strawberry.federation.type(keys=["id"])
class Post:
    id: strawberry.ID
    title: str
    author_id: strawberry.Private[str]

    @strawberry.field
    def author(self) -> User:
        return User(id=strawberry.ID(self.author_id))

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Post:
        return post(id)


def post(id: str) -> Post:
    author, title = POSTS[id]
    return Post(id=strawberry.ID(id), title=title, author_id=author)


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.field
    def posts(self) -> list[Post]:
        return [post(i) for i, (author, _) in POSTS.items() if author == self.id]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return User(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def posts(self) -> list[Post]:
        return [post(i) for i in POSTS]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
