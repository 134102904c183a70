from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

from tests.conformance.scenarios.mutations_in_order import journal


@strawberry.federation.type(keys=["id"])
class Account:
    id: strawberry.ID

    @strawberry.field
    def balance(self) -> int:
        return journal.BALANCES.get(self.id, 0)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Account:
        return Account(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def account(self, id: strawberry.ID) -> Account:
        return Account(id=id)


@strawberry.type
class Mutation:
    @strawberry.mutation
    def deposit(self, account: strawberry.ID, amount: int) -> Account:
        journal.BALANCES[account] = journal.BALANCES.get(account, 0) + amount
        journal.EVENTS.append(f"deposit {amount} to {account}")
        return Account(id=account)


schema = strawberry.federation.Schema(query=Query, mutation=Mutation)
app = GraphQL(schema)
reset = journal.reset
