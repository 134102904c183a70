"""The gateway's client-safe error base.

Two families of failure cross the stages (STYLE "Errors"):

    ClientError                      safe to show: a stable `code` and located GraphQLErrors
    ├── operation.OperationError     parse, validation, operation selection, limits
    └── execution.RequestError       variables the operation cannot accept
    (anything else)                  internal: logged with a trace id, answered with
                                     INTERNAL_SERVER_ERROR and no detail

A `ClientError` is a *request error* in the GraphQL-over-HTTP sense: the operation never ran, so
the response carries `errors` and no `data`. Failures while running a plan (a subgraph down, a
malformed subgraph body) are not exceptions at all: they become errors in a partial response.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from graphql import GraphQLError


class ClientError(Exception):
    """A request the gateway refuses before running it; every error carries `code`."""

    def __init__(self, code: str, errors: Sequence[GraphQLError]) -> None:
        super().__init__(errors[0].message if errors else code)
        self.code = code
        self.errors = list(errors)

    @classmethod
    def single(cls, code: str, message: str) -> Self:
        return cls(code, [GraphQLError(message, extensions={"code": code})])


def with_code(error: GraphQLError, code: str) -> GraphQLError:
    """`error` with `extensions.code` set, keeping its message and locations."""
    extensions = dict(error.extensions or {})
    extensions.setdefault("code", code)
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )
