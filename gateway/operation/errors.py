"""The operation stage's error: a request refused before planning (a `ClientError`).

Codes follow Apollo Router: `GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED`,
`GRAPHQL_UNKNOWN_OPERATION_NAME`, and the limits' `MAX_DEPTH_LIMIT`, `MAX_ALIASES_LIMIT`,
`MAX_ROOT_FIELDS_LIMIT`, `MAX_HEIGHT_LIMIT` (the parser's token and recursion limits are parse
failures, as in the router).
"""

from __future__ import annotations

from gateway.errors import ClientError

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
UNKNOWN_OPERATION_NAME = "GRAPHQL_UNKNOWN_OPERATION_NAME"
# Apollo Router reports a missing operation name among several operations as a validation
# failure; there is no dedicated code.
OPERATION_NAME_REQUIRED = VALIDATION_FAILED
MAX_DEPTH_LIMIT = "MAX_DEPTH_LIMIT"
MAX_ALIASES_LIMIT = "MAX_ALIASES_LIMIT"
MAX_ROOT_FIELDS_LIMIT = "MAX_ROOT_FIELDS_LIMIT"
MAX_HEIGHT_LIMIT = "MAX_HEIGHT_LIMIT"


class OperationError(ClientError):
    """The operation cannot run: it does not parse, validate, resolve to one operation, or it
    exceeds a configured limit."""
