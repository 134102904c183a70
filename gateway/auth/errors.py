"""The auth stage's errors.

    ClientError                          (gateway.errors)
    └── AuthError                        a refusal with a stable code
        ├── AuthenticationError          a token was sent and cannot be trusted: HTTP 401,
        │                                `WWW-Authenticate: Bearer error="invalid_token"`,
        │                                code UNAUTHENTICATED (docs/design/tokens.md)
        └── UnauthorizedOperation        `reject_unauthorized` is on and the operation selects
                                         fields the caller may not read: one error per field,
                                         code UNAUTHORIZED_FIELD_OR_TYPE
    AuthConfigError                      `auth:` in switchboard.yaml is unusable (start-up only)

A missing token is not an error: the caller is anonymous and the schema's directives decide.
The reason a token was refused is logged, never sent: a client learns only that it is invalid.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql import GraphQLError

from gateway.errors import ClientError

UNAUTHENTICATED = "UNAUTHENTICATED"
UNAUTHORIZED_FIELD_OR_TYPE = "UNAUTHORIZED_FIELD_OR_TYPE"
INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"'


class AuthError(ClientError):
    status = 400


class AuthenticationError(AuthError):
    status = 401

    def __init__(self, reason: str) -> None:
        super().__init__(
            UNAUTHENTICATED,
            [GraphQLError("Invalid access token", extensions={"code": UNAUTHENTICATED})],
        )
        # Why the token was refused, for the log only.
        self.reason = reason


class UnauthorizedOperation(AuthError):
    status = 403

    def __init__(self, paths: Sequence[Sequence[str | int]]) -> None:
        super().__init__(
            UNAUTHORIZED_FIELD_OR_TYPE,
            [unauthorized_error(path) for path in paths],
        )


def unauthorized_error(path: Sequence[str | int]) -> GraphQLError:
    return GraphQLError(
        "Unauthorized field or type",
        path=list(path),
        extensions={"code": UNAUTHORIZED_FIELD_OR_TYPE},
    )


class AuthConfigError(Exception):
    """The `auth:` configuration cannot be used."""
