"""The federation schema every platform subgraph is built on.

Errors come in the two families of `subgraphs.common.errors`. A `DomainError` is the answer to
bad input (an unknown id, a duplicate review): the client gets it with its code, and it is not
an incident, so it is not logged. Errors graphql-core raises itself (validation, a null in a
non-null field) are the client's to read too. Anything else a resolver raises is a bug or an
outage whose text may hold SQL, paths or data: it is logged with a trace id, and the client
gets only `INTERNAL_SERVER_ERROR` with that id (Strawberry's `MaskErrors`, with the id added).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.federation import Schema
from strawberry.types import ExecutionResult
from strawberry.types.execution import ExecutionContext

from subgraphs.common.dataloader import settle

logger = logging.getLogger("subgraphs")

INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
MASKED_MESSAGE = "Internal server error"
# Where `process_errors` leaves the trace id for the masking extension to send.
_TRACE_ID = "traceId"


def unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=unexpected, error_message=MASKED_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        trace_id = (error.extensions or {}).get(_TRACE_ID)
        masked.extensions = {"code": INTERNAL_SERVER_ERROR, _TRACE_ID: trace_id}
        return masked


class SubgraphSchema(Schema):
    def __init__(self, *args: Any, extensions: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, extensions=[*extensions, MaskUnexpectedErrors], **kwargs)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Called with the errors as raised, before `MaskUnexpectedErrors` replaces them."""
        for error in errors:
            if not unexpected(error):
                continue
            trace_id = uuid.uuid4().hex
            error.extensions = {**(error.extensions or {}), _TRACE_ID: trace_id}
            logger.error(
                "unexpected error at %s (trace id %s)",
                ".".join(map(str, error.path or ())) or "the operation",
                trace_id,
                exc_info=error.original_error,
            )

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Execute, then wait for the request's dataloader batches whose callers were all
        cancelled (a sibling field failed): their database work ends with the request."""
        result = await super().execute(*args, **kwargs)
        loaders = getattr(kwargs.get("context_value"), "loaders", None)
        if loaders is not None:
            await settle(loaders)
        return result
