"""The `subscriptions:` section of switchboard.yaml."""

from __future__ import annotations

from pydantic import PositiveFloat, PositiveInt

from gateway.config import Section


class SubscriptionsConfig(Section):
    """Subscriptions over websockets (graphql-transport-ws), SSE and multipart HTTP."""

    enabled: bool = True
    """Run subscriptions; when off they are refused with `SUBSCRIPTION_FORBIDDEN`."""
    buffer_events: PositiveInt = 256
    """Events a subscriber may fall behind by; past it, its stream ends with
    `SUBSCRIPTION_BUFFER_OVERFLOW` (it resumes after the last id it got)."""
    write_timeout_ms: PositiveFloat = 20_000
    """How long a client may read nothing while the gateway has data for it (its writes are
    blocked) before its connection is aborted, releasing its subscribers: a client that stopped
    reading would otherwise hold them forever. Applies to every connection of the gateway
    (websocket, SSE, multipart, any HTTP response); counted in
    `switchboard_stalled_connections`."""
    keepalive_ms: PositiveFloat = 15_000
    """How often an idle graphql-transport-ws connection gets a `ping` (SSE sends a comment
    every 15 s and multipart an empty part every 5 s, as Strawberry's transports do)."""
    check_interval_ms: PositiveFloat = 1_000
    """How often open subscriptions are checked for expired or revoked tokens and for fields
    a reloaded supergraph no longer has (every event is checked too)."""
