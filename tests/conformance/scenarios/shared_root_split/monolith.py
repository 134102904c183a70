"""The scenario's API schema served by one plain Strawberry app over the same data (the
property test's reference answer)."""

from __future__ import annotations

import strawberry

from tests.conformance.scenarios.shared_root_split import billing, profiles


@strawberry.type
class Settings:
    theme: str
    currency: str


@strawberry.type
class Member:
    id: strawberry.ID
    name: str
    plan: str
    settings: Settings


def member(id: str) -> Member:
    return Member(
        id=strawberry.ID(id),
        name=profiles.NAMES[id],
        plan=billing.PLANS[id],
        settings=Settings(theme=profiles.THEMES[id], currency=billing.CURRENCIES[id]),
    )


@strawberry.type
class Query:
    @strawberry.field
    def viewer(self) -> Member:
        return member("1")

    @strawberry.field
    def team(self) -> list[Member]:
        return [member(id) for id in profiles.NAMES]

    @strawberry.field
    def member(self, id: strawberry.ID) -> Member | None:
        return member(id) if id in profiles.NAMES else None


schema = strawberry.Schema(query=Query)
# Argument values the property test draws from, by field coordinate.
ARGUMENTS = {"Query.member": ['"1"', '"2"', '"9"']}
