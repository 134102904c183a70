"""`Authenticator`: a request's headers → its `Principal`, once per request.

No `Authorization` header: anonymous. A Bearer token: verified (`TokenVerifier`), mapped to a
principal, and checked against the revocations heard from the bus. Anything else about the
header (another scheme, a bad or revoked token, no issuer configured) is an
`AuthenticationError`: a token that is present is never read as anonymous.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from gateway.auth.errors import AuthenticationError
from gateway.auth.principal import ANONYMOUS, Principal
from gateway.auth.revocation import Revocations
from gateway.auth.verify import TokenVerifier, bearer_token

logger = logging.getLogger("gateway.auth")


class Authenticator:
    def __init__(
        self, verifier: TokenVerifier | None, revocations: Revocations | None = None
    ) -> None:
        self.verifier = verifier
        self.revocations = revocations if revocations is not None else Revocations()

    async def principal(self, headers: Mapping[str, str]) -> Principal:
        try:
            token = bearer_token(headers.get("authorization"))
            if token is None:
                return ANONYMOUS
            if self.verifier is None:
                raise AuthenticationError("no issuer is configured")
            principal = Principal.from_claims(await self.verifier.verify(token))
            if self.revocations.is_revoked(principal):
                raise AuthenticationError(f"token {principal.token_id} is revoked")
        except AuthenticationError as refusal:
            logger.info("refused an access token: %s", refusal.reason)
            raise
        return principal
