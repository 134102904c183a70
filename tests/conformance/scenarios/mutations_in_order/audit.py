from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

from tests.conformance.scenarios.mutations_in_order import journal


@strawberry.federation.type(keys=["id"])
class Account:
    id: strawberry.ID

    @strawberry.field
    def history(self) -> list[str]:
        return [event for event in journal.EVENTS if event.endswith(f" {self.id}")]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Account:
        return Account(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def events(self) -> list[str]:
        return list(journal.EVENTS)


@strawberry.type
class Mutation:
    @strawberry.mutation
    def freeze(self, account: strawberry.ID) -> Account:
        journal.EVENTS.append(f"freeze {account}")
        return Account(id=account)

    @strawberry.mutation
    def snapshot(self) -> list[str]:
        # what every earlier mutation has done, in the order it was done
        return list(journal.EVENTS)


schema = strawberry.federation.Schema(query=Query, mutation=Mutation)
app = GraphQL(schema)
reset = journal.reset
