from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL


@strawberry.federation.type(shareable=True)
class Bank:
    code: str
    country: str


@strawberry.federation.type(keys=["number bank { code }"])
class Account:
    number: str
    bank: Bank
    holder: str

    @classmethod
    def resolve_reference(cls, number: str, bank: dict[str, str]) -> Account | None:
        for account in ACCOUNTS:
            if (account.number, account.bank.code) == (number, bank["code"]):
                return account
        return None


ACCOUNTS = [
    Account(number="001", bank=Bank(code="ABC", country="DE"), holder="Ada"),
    Account(number="001", bank=Bank(code="XYZ", country="FR"), holder="Grace"),
    Account(number="777", bank=Bank(code="ABC", country="DE"), holder="Alan"),
]


@strawberry.type
class Query:
    @strawberry.field
    def accounts(self) -> list[Account]:
        return ACCOUNTS


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
