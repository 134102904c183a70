from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(keys=["id"])
class Cell:
    id: strawberry.ID


@strawberry.type
class Row:
    index: int
    cells: list[Cell | None]


@strawberry.type
class Query:
    @strawberry.field
    def matrix(self) -> list[list[Cell]]:
        return [[Cell(id=strawberry.ID(f"{r}{c}")) for c in "ab"] for r in "12"]

    @strawberry.field
    def rows(self) -> list[Row]:
        return [
            Row(index=0, cells=[Cell(id=strawberry.ID("1a")), None]),
            Row(index=1, cells=[]),
            Row(index=2, cells=[Cell(id=strawberry.ID("2b"))]),
        ]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
