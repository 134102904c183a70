"""Why a subscription ends before its subgraph completes it, as clients read it.

A stream that ends early gets one last result with no `data` and one error whose
`extensions.code` says why, then completes (graphql-transport-ws `next` + `complete`, an SSE
`next` event + `complete`, a multipart part + the closing boundary). Codes:

    TOKEN_EXPIRED                  the access token's `exp` passed: subscribe again with a new one
    TOKEN_REVOKED                  the grant or installation was revoked
    SUBSCRIPTION_BUFFER_OVERFLOW   the client read too slowly; resume with the last id
    SUBSCRIPTION_FIELD_REMOVED     a new supergraph no longer has the subscribed field
    SUBSCRIPTION_UPSTREAM_CLOSED   the owning subgraph's connection failed; resume with the last id
    SHUTTING_DOWN                  the gateway is stopping; resume on another replica

Internal: `UpstreamClosed` (the upstream websocket could not open or failed), turned into
`SUBSCRIPTION_UPSTREAM_CLOSED` at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TOKEN_EXPIRED = "TOKEN_EXPIRED"
TOKEN_REVOKED = "TOKEN_REVOKED"
BUFFER_OVERFLOW = "SUBSCRIPTION_BUFFER_OVERFLOW"
FIELD_REMOVED = "SUBSCRIPTION_FIELD_REMOVED"
UPSTREAM_CLOSED = "SUBSCRIPTION_UPSTREAM_CLOSED"
SHUTTING_DOWN = "SHUTTING_DOWN"


class UpstreamClosed(Exception):
    """The upstream subscription connection could not open, or failed."""


@dataclass(frozen=True)
class Ending:
    """Why the gateway ends a stream: the last result's only error."""

    code: str
    message: str

    def result(self, last_event_id: str | None) -> dict[str, Any]:
        extensions: dict[str, Any] = {"code": self.code}
        if last_event_id is not None:
            # Where to resume: `after` (websocket, multipart) or `Last-Event-ID` (SSE).
            extensions["lastEventId"] = last_event_id
        return {"errors": [{"message": self.message, "extensions": extensions}]}


EXPIRED = Ending(TOKEN_EXPIRED, "The access token expired; subscribe again with a new token.")
REVOKED = Ending(TOKEN_REVOKED, "The access token was revoked.")
OVERFLOW = Ending(
    BUFFER_OVERFLOW,
    "The client did not keep up with its events; resume after the last event it received.",
)
FIELD_GONE = Ending(FIELD_REMOVED, "The subscribed field is no longer in the schema.")
SHUTDOWN = Ending(SHUTTING_DOWN, "The gateway is shutting down; resume after the last event.")
UPSTREAM = Ending(
    UPSTREAM_CLOSED, "The subscription's source closed; resume after the last event delivered."
)
