from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

COMMENTS = [("p1", "First!"), ("p3", "Great read"), ("p1", "Thanks"), ("p2", "Hmm")]


@strawberry.type
class Comment:
    text: str


@strawberry.federation.type(keys=["id"])
class Post:
    id: strawberry.ID

    @strawberry.field
    def comments(self) -> list[Comment]:
        return [Comment(text=t) for p, t in COMMENTS if p == self.id]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Post:
        return Post(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def comment_count(self) -> int:
        return len(COMMENTS)


schema = strawberry.federation.Schema(query=Query, types=[Post])
app = GraphQL(schema)
