from __future__ import annotations

from typing import Any

import strawberry
from strawberry.asgi import GraphQL

BALANCES = {("001", "ABC"): 120, ("001", "XYZ"): -5, ("777", "ABC"): 0}


@strawberry.federation.type(shareable=True)
class Bank:
    code: str
    country: str


@strawberry.federation.type(keys=["number bank { code }"])
class Account:
    number: str
    bank_code: strawberry.Private[str]

    @strawberry.field
    def bank(self) -> Bank:
        return Bank(code=self.bank_code, country={"ABC": "DE", "XYZ": "FR"}[self.bank_code])

    @strawberry.field
    def balance(self) -> int:
        return BALANCES[(self.number, self.bank_code)]

    @classmethod
    def resolve_reference(cls, number: str, bank: dict[str, Any]) -> Account:
        return Account(number=number, bank_code=bank["code"])


@strawberry.type
class Query:
    @strawberry.field
    def overdrawn(self) -> list[Account]:
        return [Account(number=n, bank_code=b) for (n, b), v in BALANCES.items() if v < 0]


schema = strawberry.federation.Schema(query=Query)
app = GraphQL(schema)
