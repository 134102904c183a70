"""The federation schema every platform subgraph is built on."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.federation import Schema
from strawberry.types import ExecutionResult
from strawberry.types.execution import ExecutionContext

from subgraphs.common.dataloader import settle
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

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Execute, then wait for the request's dataloader batches whose callers were all
        cancelled (a sibling field failed): their database work ends with the request."""
        result = await super().execute(*args, **kwargs)
        loaders = getattr(kwargs.get("context_value"), "loaders", None)
        if loaders is not None:
            await settle(loaders)
        return result
