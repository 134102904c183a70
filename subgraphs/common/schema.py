"""The federation schema every platform subgraph is built on."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.federation import Schema
from strawberry.types.execution import ExecutionContext

from subgraphs.common.errors import DomainError


class SubgraphSchema(Schema):
    """Strawberry logs every resolver error with its traceback. A `DomainError` is the answer
    to bad input (an unknown id, a duplicate review), reported to the client with its code: not
    an incident, so it is not logged. Anything else still is."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [
            error for error in errors if not isinstance(error.original_error, DomainError)
        ]
        super().process_errors(unexpected, execution_context)
