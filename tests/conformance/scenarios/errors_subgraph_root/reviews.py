from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.type
class Query:
    @strawberry.field
    def review_count(self) -> int:
        return 3


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
