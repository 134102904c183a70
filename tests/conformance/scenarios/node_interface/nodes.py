from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.federation.type(keys=["id"])
class User(Node):
    name: str


@strawberry.federation.type(keys=["id"])
class Team(Node):
    title: str


NODES: dict[str, Node] = {
    "User:1": User(id=strawberry.ID("User:1"), name="Ada"),
    "Team:1": Team(id=strawberry.ID("Team:1"), title="Core"),
}


@strawberry.type
class Query:
    @strawberry.field
    def node(self, id: strawberry.ID) -> Node | None:
        return NODES.get(id)

    @strawberry.field
    def nodes(self, ids: list[strawberry.ID]) -> list[Node | None]:
        return [NODES.get(i) for i in ids]


schema = strawberry.federation.Schema(query=Query, types=[User, Team])
app = GraphQL(schema)
