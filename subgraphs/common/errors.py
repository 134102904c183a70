"""Client-safe errors raised by subgraph resolvers, each with a stable `extensions.code`.

    DomainError (graphql.GraphQLError)
    ├── NotFound                  NOT_FOUND                 an id or slug that does not exist
    ├── BadUserInput              BAD_USER_INPUT            a value out of its range or form
    ├── InvalidStateTransition    INVALID_STATE_TRANSITION  e.g. publishing a suspended one
    ├── Conflict                  CONFLICT                  a duplicate (review, installation, slug)
    └── Forbidden                 FORBIDDEN                 the principal does not own the object

Raised inside a resolver, graphql-core keeps these as they are and adds the path.
"""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import GraphQLError


class DomainError(GraphQLError):
    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **details})


class NotFound(DomainError):
    code = "NOT_FOUND"


class BadUserInput(DomainError):
    code = "BAD_USER_INPUT"


class InvalidStateTransition(DomainError):
    code = "INVALID_STATE_TRANSITION"


class Conflict(DomainError):
    code = "CONFLICT"


class Forbidden(DomainError):
    code = "FORBIDDEN"
